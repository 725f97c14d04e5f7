"""Figure 7 rendered as Markdown (bench/RESULTS.md): the judge on simulated deployments."""

from __future__ import annotations

from bench.judge import (
    BAKE_CHECKS,
    FALSE_POSITIVE_GOAL,
    FINAL_CHECKS,
    MAX_DETECTION_PERIODS,
    P99_GOAL_PERIODS,
    SIDE_NOISE_SIGMA,
    JudgeResult,
    TradeOffRow,
)

GET_METRIC_DATA_TPS = 50  # CloudWatch service quotas: GetMetricData, per Region, adjustable
POLL_SECONDS = 60


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _trade_off(rows: list[TradeOffRow]) -> list[str]:
    if not rows:
        return []
    lines = []
    for row in rows:
        setting, (even, canary) = row.setting, row.canaries
        cells = [
            f"{setting.min_periods}, {setting.confidence:.0%}, {setting.tolerance:.0%}",
            f"{setting.side_noise:.0%}",
            f"{row.p99.detected_within(P99_GOAL_PERIODS):.1%}"
            + (" ✓" if row.p99.detected_within(P99_GOAL_PERIODS) >= 0.95 else " ✗"),
            str(row.p99.percentile_95()),
            f"{even.false_positive_rate:.1%} ({even.failed_deployments})",
            f"{canary.false_positive_rate:.1%} ({canary.failed_deployments})"
            + (" ✓" if row.worst_false_positive_rate <= FALSE_POSITIVE_GOAL else " ✗"),
            setting.note,
        ]
        lines.append([f"**{cell}**" if setting.is_default() and cell else cell for cell in cells])
    deployments, trials = rows[0].canaries[0].deployments, len(rows[0].p99.periods)
    return [
        f"**Latency settings: the trade-off.** Both latency metrics' `min_periods`, `confidence` and `tolerance`, "
        f"and the per-period noise of a side's own (the simulation assumes {SIDE_NOISE_SIGMA:.0%}; it is not "
        f"measured, so the last rows show how much the figure depends on it). Goals: a 20 % p99 regression fails "
        f"within {P99_GOAL_PERIODS} periods in at least 95 % of the trials (the 95th percentile ≤ "
        f"{P99_GOAL_PERIODS}), and at most {FALSE_POSITIVE_GOAL:.0%} false positives per deployment at either "
        f"traffic level. {trials} trials, {deployments} A/A default canaries per traffic level, the figure's seeds.",
        "",
        *_table(
            [
                "min periods, confidence, tolerance",
                "side noise",
                f"p99 +20 % within {P99_GOAL_PERIODS} periods",
                "95th percentile",
                "A/A 50/50: false positives",
                "A/A 50/450",
                "",
            ],
            lines,
        ),
        "",
    ]


def render_judge(result: JudgeResult) -> list[str]:
    checks = BAKE_CHECKS + FINAL_CHECKS
    canary_rows = []
    for runs in result.canaries:
        rate = runs.false_positive_rate
        by_metric = ", ".join(f"{metric} {count}" for metric, count in sorted(runs.fails_by_metric.items())) or "none"
        end = runs.end_of_bake
        canary_rows.append(
            [
                runs.label,
                str(runs.deployments),
                f"**{rate:.1%}** ({runs.failed_deployments})" + (" ✓" if rate <= FALSE_POSITIVE_GOAL else " ✗"),
                by_metric,
                f"{end['pass']} / {end['inconclusive']} / {end['fail']}",
            ]
        )
    detection_rows = []
    for detection in result.detections:
        within = detection.detected_within(detection.goal_periods)
        never = sum(1 for p in detection.periods if p is None)
        detection_rows.append(
            [
                detection.label,
                str(len(detection.periods)),
                f"**{detection.median():g}**",
                str(detection.percentile_95()),
                f"{within:.1%} (goal ≤ {detection.goal_periods})",
                str(never),
            ]
        )
    low = result.low_traffic
    outcomes = low.metric_outcomes
    never_pass = "✓ never pass" if outcomes["pass"] == 0 else "✗ **passed**"
    return [
        "## 7. The judge: false positives, detection, low traffic (simulated)",
        "",
        f"Default canary, default judge (docs/analysis.md): {BAKE_CHECKS} checks during the bake (same window, "
        f"old side) and {FINAL_CHECKS} during the final wait (old side's window before the shift), 3 metrics each: "
        f"{checks * 3} judgements per deployment. A deployment is a false positive if any of them fails.",
        "",
        *_table(
            [
                "A/A deployments",
                "runs",
                "false positives per deployment (goal ≤ 2 %)",
                "failed on",
                "bake end: pass / inconclusive / fail",
            ],
            canary_rows,
        ),
        "",
        *_table(
            [
                "regression",
                "trials",
                "periods until it fails, median",
                "95th percentile",
                "failed within the goal",
                f"not within {MAX_DETECTION_PERIODS}",
            ],
            detection_rows,
        ),
        "",
        *_trade_off(result.trade_off),
        f"At **1 request/s per side** ({low.deployments} default canaries, {sum(outcomes.values())} judgements): "
        f"{outcomes['inconclusive']} inconclusive, {outcomes['pass']} pass, {outcomes['fail']} fail ({never_pass}); "
        f"the bake ended inconclusive in {low.end_of_bake['inconclusive']} of {low.deployments}.",
        "",
        f"**GetMetricData: {result.calls_per_deployment} calls per default canary** (one per check with a whole "
        "period since the shift: the first check of each bake, one poll after a shift within a minute, has none), "
        f"{result.queries_per_call} queries per call. At the default quota of {GET_METRIC_DATA_TPS} calls/s per "
        f"Region and one check per {POLL_SECONDS} s, up to {GET_METRIC_DATA_TPS * POLL_SECONDS:,} deployments "
        "can be judging at once if their checks were spread evenly (the quota is shared with everything else "
        "in the account and Region; docs/analysis.md).",
        "",
        f"Simulated in {result.seconds:.1f} s ({result.cpu_seconds:.0f} s of CPU), seeded "
        "(bench/judge.py says what is modelled and what is not).",
        "",
    ]
