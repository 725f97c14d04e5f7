"""Fisher's exact test on error counts, one-sided, with a tolerance: is the new side's error
rate more than (1 + tolerance) times the baseline's?

Why Fisher throughout (no z-test): it is exact at every count, so there is no size above which
an approximation has to be trusted, and the low counts where a z-test is wrong (0.5 % of a few
thousand requests is a dozen errors) are exactly the counts a canary sees. It is cheap: the sum
runs over at most min(errors, requests) + 1 terms, each one multiplication from the last.

Conditioned on the total errors, the new side's errors follow Fisher's noncentral
hypergeometric distribution with the odds ratio as its parameter (central when the odds ratio
is 1, which is `scipy.stats.fisher_exact(..., alternative="greater")`). The tolerance is
applied as that null odds ratio: H0 "odds ratio <= 1 + tolerance". For error rates far below 1
the odds ratio is the rate ratio (at 2 % errors they differ by 2 %). Checked against
`scipy.stats.nchypergeom_fisher` and `fisher_exact` (tests/unit/shifter/analysis/test_fisher.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class FisherResult:
    p_value: float  # P(new errors >= observed | total errors, null odds ratio)
    null_odds_ratio: float


def fisher_greater(
    new_errors: int, new_requests: int, baseline_errors: int, baseline_requests: int, null_odds_ratio: float = 1.0
) -> FisherResult:
    if not 0 <= new_errors <= new_requests or not 0 <= baseline_errors <= baseline_requests:
        raise ValueError("errors must be between 0 and the requests")
    if null_odds_ratio <= 0:
        raise ValueError("the null odds ratio must be positive")
    errors = new_errors + baseline_errors
    low = max(0, errors - baseline_requests)
    high = min(errors, new_requests)
    log_ratio = math.log(null_odds_ratio)
    # log of C(new_requests, k) C(baseline_requests, errors - k) odds^k, by the term ratio.
    log_weights = [0.0]
    for k in range(low, high):
        step = (new_requests - k) * (errors - k) / ((k + 1) * (baseline_requests - errors + k + 1))
        log_weights.append(log_weights[-1] + math.log(step) + log_ratio)
    peak = max(log_weights)
    weights = [math.exp(w - peak) for w in log_weights]
    tail = sum(weights[new_errors - low :])
    return FisherResult(p_value=min(1.0, tail / sum(weights)), null_odds_ratio=null_odds_ratio)
