"""Figure 7 rendered as Markdown (bench/RESULTS.md): the judge on simulated deployments."""

from __future__ import annotations

from bench.judge import (
    BAKE_CHECKS,
    FALSE_POSITIVE_GOAL,
    FINAL_CHECKS,
    MAX_DETECTION_PERIODS,
    JudgeResult,
)

GET_METRIC_DATA_TPS = 50  # CloudWatch service quotas: GetMetricData, per Region, adjustable
POLL_SECONDS = 60


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


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
                f"{within:.0%} (goal ≤ {detection.goal_periods})",
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
        f"At **1 request/s per side** ({low.deployments} default canaries, {sum(outcomes.values())} judgements): "
        f"{outcomes['inconclusive']} inconclusive, {outcomes['pass']} pass, {outcomes['fail']} fail ({never_pass}); "
        f"the bake ended inconclusive in {low.end_of_bake['inconclusive']} of {low.deployments}.",
        "",
        f"**GetMetricData: {result.calls_per_deployment} calls per default canary** (one per check), "
        f"{result.queries_per_call} queries per call. At the default quota of {GET_METRIC_DATA_TPS} calls/s per "
        f"Region and one check per {POLL_SECONDS} s, up to {GET_METRIC_DATA_TPS * POLL_SECONDS:,} deployments "
        "can be judging at once if their checks were spread evenly (the quota is shared with everything else "
        "in the account and Region; docs/analysis.md).",
        "",
        f"Simulated in {result.seconds:.1f} s, seeded (bench/judge.py says what is modelled and what is not).",
        "",
    ]
