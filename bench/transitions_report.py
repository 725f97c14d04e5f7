"""Figure 8 as Markdown (bench/RESULTS.md): bench/transitions.py measures it."""

from __future__ import annotations

from bench.transitions import BAD_CANARY, Row, TransitionsResult
from cutover.local.transition_drivers import ALARM_AFTER_ERRORS
from cutover.local.transition_drivers import CANARY_WEIGHT as BAD_CANARY_WEIGHT


def _bad_canary_cost(result: TransitionsResult) -> str:
    row = next((row for row in result.rows if row.name == BAD_CANARY), None)
    if row is None or not row.served:
        return ""
    return f"{row.release_errors} of its {row.served} requests, {row.release_errors / row.served:.1%}"


def _line(row: Row) -> str:
    return (
        f"| {row.name} | {row.outcome} | {row.seconds:.1f} | {row.served} | {row.rate:.0f} | "
        f"**{row.platform_failures}** | {row.release_errors} | {row.versions} |"
    )


def render_transitions(result: TransitionsResult) -> list[str]:
    lost = sum(row.platform_failures for row in result.rows)
    served = sum(row.served for row in result.rows)
    unexpected = [row.name for row in result.rows if not row.as_expected]
    scale = result.time_scale
    verdict = (
        f"**{lost} of {served} production requests failed** through {len(result.rows)} transitions"
        + (f"; unexpected outcomes: {', '.join(unexpected)}" if unexpected else "")
        + "."
    )
    if result.control is not None:
        verdict += (
            f" Without the rollback's propagation wait the same abort failed {result.control.platform_failures} "
            f"of {result.control.served}."
        )
    lines = [
        "## 8. Zero downtime: production requests through every transition",
        "",
        "| transition | outcome | seconds (local) | requests served | per second | failed (platform) "
        "| release errors | answered by |",
        "|---|---|---|---|---|---|---|---|",
        *(_line(row) for row in result.rows),
        *([_line(result.control)] if result.control is not None else []),
        "",
        verdict,
        "",
        "How, exactly:",
        "- One local stack (cutover/local/loaded_stack.py) runs the transitions in this order, each "
        "starting where the last ended, with the zero-downtime suite's drivers (cutover/local/"
        "transition_drivers.py: tests/zero_downtime runs each on a fresh stack); a load generator in its own "
        f"process sends {result.rate_per_second} MCP calls per second through the router (the ALB's data plane) "
        "all along, one new connection each.",
        f"- AWS's timing, compressed {1 / scale:.0f}x: a listener change reaches the last of "
        f"{result.propagation_nodes} ALB nodes {result.propagation_seconds:.0f} s after ModifyListener "
        f"({result.propagation_seconds * scale:.2f} s here), each node at its own moment; a task starts "
        f"{result.task_start_seconds:.0f} s after UpdateService, is `initial` until a health check passes, "
        "drains for its target group's deregistration delay, then gets SIGTERM (cutover/local/aws_timing.py).",
        f"- Failed (platform): no answer within {result.client_timeout_seconds:.0f} s, a refused or dropped "
        "connection, or a 502/503/504 (cutover/local/load_counts.py). Release errors are a bad release's own "
        "5xx during its canary, counted apart: v-broken answers 500 to every MCP call; in its "
        f"{BAD_CANARY_WEIGHT} % canary its 5xx alarm is set once it answered {ALARM_AFTER_ERRORS} errors, "
        "as CloudWatch would, so its cost is bounded by its weight and by how long it baked"
        + (f" ({_bad_canary_cost(result)})" if _bad_canary_cost(result) else "")
        + "; elsewhere its MCP smoke test stops it before any traffic.",
        "- Counted from StartExecution to the execution's end. The control is a second stack synthesized with "
        "`alb_propagation_seconds` 0: its rollback scales the new side down while ALB nodes still route to it; "
        "its lag is 90 s (loaded_stack.CONTROL_TIMING: the Lambda's own uncompressed time between the two calls "
        "could otherwise close the 30 s window here).",
        "",
        "Not measured locally: real ALB nodes' propagation (AWS documents no figure: the 30 s is a choice, "
        "see aws_timing.py), connection reuse by real clients, and cross-zone effects.",
        "",
    ]
    return lines
