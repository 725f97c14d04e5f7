"""Fisher's exact test on error counts, one-sided, with a tolerance: is the new side's error
rate more than (1 + tolerance) times the baseline's?

Why Fisher throughout (no z-test): it is exact at every count, so there is no size above which
an approximation has to be trusted, and the low counts where a z-test is wrong (0.5 % of a few
thousand requests is a dozen errors) are exactly the counts a canary sees. It is cheap: the sum
starts at the distribution's mode and stops where the terms no longer matter, each term one
multiplication from the last (tens of terms at canary counts, not one per error).

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
from typing import Final

# Terms past the mode shrink faster than geometrically: once one is this small against the sum
# it adds to (the tail above the observed count, the total below the mode), all the rest together
# change the p-value by less than a floating-point rounding.
NEGLIGIBLE: Final = 1e-20


@dataclass(frozen=True)
class FisherResult:
    p_value: float  # P(new errors >= observed | total errors, null odds ratio)
    null_odds_ratio: float


def _log_step(k: int, new_requests: int, baseline_requests: int, errors: int, log_odds: float) -> float:
    """log of weight(k + 1) / weight(k), weight(k) = C(new_requests, k) C(baseline_requests, errors - k) odds^k."""
    up = (new_requests - k) * (errors - k)
    down = (k + 1) * (baseline_requests - errors + k + 1)
    return math.log(up) - math.log(down) + log_odds


def fisher_greater(
    new_errors: int, new_requests: int, baseline_errors: int, baseline_requests: int, null_odds_ratio: float = 1.0
) -> FisherResult:
    if not 0 <= new_errors <= new_requests or not 0 <= baseline_errors <= baseline_requests:
        raise ValueError("errors must be between 0 and the requests")
    if null_odds_ratio <= 0:
        raise ValueError("the null odds ratio must be positive")
    errors = new_errors + baseline_errors
    low, high = max(0, errors - baseline_requests), min(errors, new_requests)
    log_odds = math.log(null_odds_ratio)

    def step(k: int) -> float:
        return _log_step(k, new_requests, baseline_requests, errors, log_odds)

    # The weights are log-concave in k: find the mode (the first step down), then sum outwards
    # until the terms no longer matter, always reaching the observed count.
    first, last = low, high
    while first < last:
        middle = (first + last) // 2
        first, last = (first, middle) if step(middle) < 0 else (middle + 1, last)
    mode = first
    total, tail = 1.0, (1.0 if mode >= new_errors else 0.0)
    k, log_weight = mode, 0.0
    while k < high:
        log_weight += step(k)
        k += 1
        weight = math.exp(log_weight)
        total += weight
        tail += weight if k >= new_errors else 0.0
        # Against the tail, not the total: a p-value of 1e-21 must still be right to its last digits.
        if k >= new_errors and weight < NEGLIGIBLE * tail:
            break
    k, log_weight = mode, 0.0
    while k > low:
        log_weight -= step(k - 1)
        k -= 1
        weight = math.exp(log_weight)
        total += weight
        tail += weight if k >= new_errors else 0.0
        if weight < NEGLIGIBLE * total:
            break
    return FisherResult(p_value=min(1.0, tail / total), null_odds_ratio=null_odds_ratio)
