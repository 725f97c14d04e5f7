"""How the CLI draws a service, a rollout, a plan and the history (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cutover.cli.fleet import StackRow
from cutover.cli.views import UNKNOWN, RolloutView, ServiceView
from cutover.shifter.logic.durations import format_duration
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.plan import DeploymentPlan
from cutover.shifter.logic.quotas import PlanEstimate

BAR_WIDTH = 30
STATUS_STYLE = {"SUCCEEDED": "bold green", "FAILED": "bold red", "RUNNING": "bold yellow", "ABORTED": "bold red"}


def weight_bar(weights: dict[str, int]) -> Text:
    blue = round(weights.get("blue", 0) * BAR_WIDTH / 100)
    bar = Text()
    bar.append(f"blue {weights.get('blue', 0):>3} % ", style="blue")
    bar.append("█" * blue, style="blue")
    bar.append("█" * (BAR_WIDTH - blue), style="green")
    bar.append(f" {weights.get('green', 0):>3} % green", style="green")
    if weights.get(UNKNOWN):
        bar.append(f"  {UNKNOWN} {weights[UNKNOWN]} % (a target group Cutover does not own)", style="bold red")
    return bar


def rollout(view: RolloutView) -> RenderableType:
    name = view.execution.rsplit(":", 1)[-1]
    lines: list[RenderableType] = [
        Text.assemble(("Execution ", "dim"), (name, "bold"), "  ", (view.status, STATUS_STYLE.get(view.status, ""))),
        Text.assemble(("Traffic   ", "dim"), weight_bar(view.weights)),
    ]
    if view.phase or view.bake:
        detail = view.phase or ""
        if view.bake:
            remaining = max(0, int(view.bake.get("seconds", 0)) - int(view.bake.get("elapsed_seconds", 0)))
            kind = "paused" if view.bake.get("pause") else "baking"
            detail += f"  {kind}: {format_duration(int(view.bake.get('elapsed_seconds', 0)))}"
            detail += f" of {format_duration(int(view.bake.get('seconds', 0)))}, {format_duration(remaining)} left"
            if view.bake.get("judge_paused"):
                detail += " (the judge was inconclusive: `cutover promote` goes on, `cutover abort` rolls back)"
        lines.append(Text.assemble(("Phase     ", "dim"), detail))
    if view.states:
        lines.append(Text.assemble(("States    ", "dim"), " → ".join(view.states)))
    if view.status != "RUNNING":
        outcome = view.cause or (view.output or {}).get("cause", "")
        lines.append(Text.assemble(("Result    ", "dim"), (f"{view.error}: " if view.error else ""), outcome))
    return Group(*lines)


def service(view: ServiceView) -> RenderableType:
    table = Table(title=f"Cutover service {view.service}", title_justify="left")
    for column in ("side", "traffic", "image", "task definition", "desired", "running", "healthy", "alarms in ALARM"):
        table.add_column(column)
    for side in view.sides:
        live = side.weight == 100
        table.add_row(
            Text(side.side + (" (live)" if live else ""), style="bold" if live else ""),
            f"{side.weight} %",
            side.image,
            side.revision,
            str(side.desired),
            str(side.running),
            str(side.healthy),
            Text(", ".join(side.alarms_firing) or "none", style="red" if side.alarms_firing else "dim"),
        )
    deployment = view.deployment
    if deployment is None:
        footer = Text("No deployment running.", style="dim")
    else:
        footer = Text.assemble(
            ("Running: ", "bold"),
            deployment.owner.rsplit(":", 1)[-1],
            f"  phase {deployment.phase or '?'}",
            f"  new side {deployment.new_side or '?'}",
        )
    parts: list[RenderableType] = [table, Text.assemble(weight_bar(view.weights())), footer]
    if view.verdict is not None:
        parts.append(verdict(view.verdict))
    return Group(*parts)


VERDICT_STYLE = {"pass": "green", "fail": "bold red", "inconclusive": "yellow"}


def _value(metric: str, value: float | None) -> str:
    if value is None:
        return "no data"
    if metric == "error_rate":
        return f"{value * 100:.2f} %"
    if metric.startswith("latency_"):  # TargetResponseTime is in seconds
        return f"{value * 1000:.1f} ms"
    return f"{value:.4g}"


def _side_numbers(metric: str, side: dict[str, Any]) -> str:
    errors = f", {side['errors']} errors" if side.get("errors") is not None else ""
    counts = f"{side.get('requests', 0)} requests{errors}, {side.get('periods', 0)} periods"
    return f"{side.get('side', '?')}: {_value(metric, side.get('value'))} ({counts})"


def _p_value(metric: dict[str, Any]) -> str:
    p_value = metric.get("p_value")
    return "" if p_value is None else f"{p_value:.2g}"


def verdict(detail: dict[str, Any]) -> RenderableType:
    """The judge's latest verdict per metric, both sides side by side (docs/analysis.md)."""
    outcome = str(detail.get("outcome", "?"))
    title = Text.assemble(
        ("Judge ", "bold"),
        (outcome, VERDICT_STYLE.get(outcome, "")),
        f"  ({detail.get('mode', '?')}, at {detail.get('weight', '?')} %, baseline {detail.get('baseline', '?')}",
        f"; {detail['decision']})" if detail.get("decision") else ")",
    )
    table = Table(title=title, title_justify="left")
    for column in ("metric", "verdict", "new side", "old side", "p-value"):
        table.add_column(column)
    for metric in detail.get("metrics", []):
        name, result = str(metric.get("metric", "?")), str(metric.get("outcome", "?"))
        table.add_row(
            name,
            Text(result, style=VERDICT_STYLE.get(result, "")),
            _side_numbers(name, metric.get("new", {})),
            _side_numbers(name, metric.get("baseline", {})),
            _p_value(metric),
        )
    return table


def verdict_line(detail: dict[str, Any]) -> Text:
    """One check's verdict as `cutover watch` prints it when recorded: the outcome, per metric
    both sides' values and the p-value, and what the judge did (or, in dry-run, would have)."""
    outcome = str(detail.get("outcome", "?"))
    baseline = " vs the old side before the shift" if detail.get("baseline") == "before-shift" else ""
    line = Text.assemble(
        ("Judge     ", "dim"),
        f"check {detail.get('check', '?')} at {detail.get('weight', '?')} %{baseline}: ",
        (outcome, VERDICT_STYLE.get(outcome, "")),
    )
    if detail.get("mode") == "dry-run" and not str(detail.get("decision", "")).startswith("dry-run"):
        line.append(" (dry-run)", style="dim")
    for metric in detail.get("metrics", []):
        name, result = str(metric.get("metric", "?")), str(metric.get("outcome", "?"))
        new, old = metric.get("new", {}), metric.get("baseline", {})
        line.append(f" · {name} ")
        line.append(result, style=VERDICT_STYLE.get(result, ""))
        line.append(
            f" {new.get('side', '?')} {_value(name, new.get('value'))}"
            f" vs {old.get('side', '?')} {_value(name, old.get('value'))}"
        )
        if p_value := _p_value(metric):
            line.append(f" p={p_value}")
    if "metrics" not in detail and detail.get("explanation"):
        line.append(f" · {detail['explanation']}")
    if detail.get("decision"):
        line.append(f" → {detail['decision']}", style="bold")
    return line


def plan(document: dict[str, Any], result: DeploymentPlan, watched: str, cost: PlanEstimate) -> RenderableType:
    table = Table(title=f"Plan: deploy {result.image}", title_justify="left")
    for column in ("step", "new side", "old side", "then"):
        table.add_column(column)
    for index, step in enumerate(result.steps, 1):
        then = (
            "pause until promote"
            if step.pause
            else (f"bake {format_duration(step.bake_seconds)}" if step.bake_seconds else "next step")
        )
        table.add_row(str(index), f"{step.weight} %", f"{100 - step.weight} %", then)
    smoke = ", ".join(f"{t.method} {t.path} → {t.expect_status}" for t in result.smoke_tests) or "none"
    return Group(
        table,
        Text.assemble(("Strategy      ", "dim"), result.strategy_name),
        Text.assemble(("Smoke tests   ", "dim"), smoke),
        Text.assemble(
            ("Final wait    ", "dim"),
            f"{format_duration(result.final_wait_seconds())} (old side warm for instant rollback, then scaled to 0)",
        ),
        Text.assemble(("Alarms        ", "dim"), watched),
        Text.assemble(
            ("Duration      ", "dim"),
            f"at least {format_duration(result.minimum_duration_seconds())}"
            + (
                f", at most {format_duration(result.maximum_duration_seconds())} with pauses"
                if any(s.pause for s in result.steps)
                else ""
            ),
        ),
        Text.assemble(("Step Functions", "dim"), " " + cost.summary()),
        Text.assemble(("Reason        ", "dim"), result.reason),
    )


def history(records: list[HistoryRecord]) -> RenderableType:
    table = Table(title="Deployments and actions, newest first", title_justify="left")
    for column in ("started", "action", "image", "from → to", "outcome", "trigger / reason"):
        table.add_column(column)
    for record in records:
        style = {"SUCCEEDED": "green", "ROLLED_BACK": "red", "FAILED": "red"}.get(record.outcome, "yellow")
        table.add_row(
            record.started_at,
            record.action,
            record.image or "",
            f"{record.from_side or '-'} → {record.to_side or '-'}",
            Text(record.outcome, style=style),
            record.trigger or record.reason or "",
        )
        # Recorded after its rollback: the rollback's outcome above stays what it was.
        for failure in record.hook_failures:
            table.add_row(
                failure.at, "  ↳ on_rollback hook", failure.hook, "", Text("HOOK FAILED", style="red"), failure.failure
            )
    return table


def stacks(region: str, rows: list[StackRow]) -> RenderableType:
    """`status --all`: one row per Cutover stack."""
    if not rows:
        return Text(f"No Cutover stacks in {region}.", style="dim")
    table = Table(title=f"Cutover stacks in {region}", title_justify="left")
    for column in ("stack", "service", "live", "traffic", "live image", "deployment", "alarms in ALARM"):
        table.add_column(column)
    for row in rows:
        if row.view is None:
            table.add_row(row.stack, "", "", "", "", "", Text(f"cannot read: {row.error}", style="red"))
            continue
        live = next((side for side in row.view.sides if side.weight == 100), None)
        firing = [name for side in row.view.sides for name in side.alarms_firing]
        running = row.view.deployment
        table.add_row(
            row.stack,
            row.view.service,
            live.side if live else Text("split", style="yellow"),
            " / ".join(f"{side} {weight} %" for side, weight in row.view.weights().items()),
            live.image if live else "",
            (f"{running.phase or 'running'} → {running.new_side or '?'}" if running else "none"),
            Text(", ".join(firing) or "none", style="red" if firing else "dim"),
        )
    return table
