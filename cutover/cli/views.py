"""What the CLI reads from AWS to show a service, a rollout and its history."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cutover.cli.target import Target
from cutover.shifter.contract import SIDES, LiveKey, Output, SideOutput, side_output
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.readers.history import read_history
from cutover.shifter.readers.live_state import read_live_state
from cutover.shifter.readers.lock import Lock, read_lock
from cutover.shifter.readers.weights import ListenerWeights, read_weights

UNKNOWN = "unknown"  # the weights' key for traffic to target groups Cutover does not own


@dataclass(frozen=True)
class SideView:
    side: str
    weight: int
    image: str
    revision: str
    desired: int
    running: int
    healthy: int
    alarms_firing: tuple[str, ...]


@dataclass(frozen=True)
class ServiceView:
    service: str
    sides: tuple[SideView, ...]
    deployment: Lock | None  # the lock of a running deployment
    unknown_weight: int = 0  # production traffic to target groups Cutover does not own
    # The judge's latest verdict (a `judged` timeline note's detail, docs/analysis.md): the running
    # bake's, else the latest deployment's; None when neither was judged.
    verdict: dict[str, Any] | None = None

    def weights(self) -> dict[str, int]:
        return shown_weights({side.side: side.weight for side in self.sides}, self.unknown_weight)


def shown_weights(sides: dict[str, int], unknown: int) -> dict[str, int]:
    """The sides' weights, plus `unknown` only when a foreign target group gets traffic."""
    return {**sides, UNKNOWN: unknown} if unknown else dict(sides)


def listener_weights(target: Target) -> ListenerWeights:
    groups: dict[str, str] = {side: target.output(side_output(side, SideOutput.TARGET_GROUP_ARN)) for side in SIDES}
    return read_weights(target.client("elbv2"), target.output(Output.LISTENER_ARN), groups)


def weights(target: Target) -> dict[str, int]:
    """Each side's weight, and `unknown` for traffic to a target group Cutover does not own:
    the CLI shows what the listener does (the shifter refuses to act on it)."""
    read = listener_weights(target)
    return shown_weights(read.sides, read.unknown)


def lock(target: Target) -> Lock | None:
    return read_lock(target.client("dynamodb"), target.output(Output.TABLE_NAME), target.output(Output.SERVICE_NAME))


def service_view(target: Target) -> ServiceView:
    current = listener_weights(target)
    live = read_live_state(target.client("ssm"), target.output(Output.LIVE_STATE_PREFIX))
    names = [target.output(side_output(s, SideOutput.SERVICE_NAME)) for s in SIDES]
    described = target.client("ecs").describe_services(cluster=target.output(Output.CLUSTER_NAME), services=names)
    services = {s["serviceName"]: s for s in described["services"]}
    alarm_names = {s: target.output(side_output(s, SideOutput.ALARM_NAMES)).split(",") for s in SIDES}
    alarms = target.client("cloudwatch").describe_alarms(AlarmNames=[n for ns in alarm_names.values() for n in ns])
    firing = {a["AlarmName"] for a in alarms.get("MetricAlarms", []) if a["StateValue"] == "ALARM"}
    sides = []
    for side, name in zip(SIDES, names, strict=True):
        health = target.client("elbv2").describe_target_health(
            TargetGroupArn=target.output(side_output(side, SideOutput.TARGET_GROUP_ARN))
        )
        ecs = services.get(name, {})
        sides.append(
            SideView(
                side=side,
                weight=current.sides[side],
                image=live.get(f"{side}/{LiveKey.IMAGE}", "?"),
                revision=ecs.get("taskDefinition", "?").rsplit("/", 1)[-1],
                desired=ecs.get("desiredCount", 0),
                running=ecs.get("runningCount", 0),
                healthy=sum(1 for t in health["TargetHealthDescriptions"] if t["TargetHealth"]["State"] == "healthy"),
                alarms_firing=tuple(n for n in alarm_names[side] if n in firing),
            )
        )
    held = lock(target)
    return ServiceView(
        service=target.output(Output.SERVICE_NAME),
        sides=tuple(sides),
        deployment=held,
        unknown_weight=current.unknown,
        verdict=latest_verdict(held, history(target, 1)),
    )


JUDGED = "judged"  # the timeline event of a verdict (cutover/shifter/steps/judging.py)


def latest_verdict(held: Lock | None, records: list[HistoryRecord]) -> dict[str, Any] | None:
    """The latest verdict with its metrics: from the running bake's notes on the lock (the state
    machine's own state is not readable mid-bake), else from the newest history record."""
    notes = _lock_notes(held)
    if not any(note.get("event") == JUDGED for note in notes) and records:
        notes = [event.model_dump(mode="json") for event in records[0].timeline]
    return latest_with_numbers(note["detail"] for note in notes if note.get("event") == JUDGED)


def latest_with_numbers(details: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The last verdict that has per-metric numbers (a bake that ended before any whole period
    was judged records an inconclusive without them)."""
    with_numbers = [detail for detail in details if "metrics" in detail]
    return with_numbers[-1] if with_numbers else None


def _lock_notes(held: Lock | None) -> list[dict[str, Any]]:
    return list((held.bake_notes or {}).get("notes", [])) if held is not None else []


def recorded_verdicts(*timelines: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Every `judged` note of one execution, oldest first, each once: `at` (when it was
    recorded) and its detail. The same note can be in several timelines (the state's, the
    lock's copy of the running bake's, the history record's)."""
    seen: dict[tuple[object, ...], dict[str, Any]] = {}
    for timeline in timelines:
        for note in timeline:
            if note.get("event") == JUDGED:
                verdict = {"at": note.get("at"), **note.get("detail", {})}
                seen.setdefault(verdict_key(verdict), verdict)
    return tuple(sorted(seen.values(), key=lambda verdict: str(verdict["at"])))


def verdict_key(verdict: dict[str, Any]) -> tuple[object, ...]:
    """One recorded verdict, whichever timeline it was read from."""
    return (verdict.get("at"), verdict.get("check"), verdict.get("weight"), verdict.get("outcome"))


def history(target: Target, limit: int) -> list[HistoryRecord]:
    return read_history(
        target.client("dynamodb"), target.output(Output.TABLE_NAME), target.output(Output.SERVICE_NAME), limit
    )


@dataclass(frozen=True)
class RolloutView:
    """One frame of `cutover watch`."""

    execution: str
    status: str
    error: str | None
    cause: str | None
    output: Any
    weights: dict[str, int]
    phase: str | None
    new_side: str | None
    bake: dict[str, Any] | None
    states: tuple[str, ...] = field(default_factory=tuple)  # the latest states entered, oldest first
    request: Any = None  # the execution's input document
    started_at: str | None = None  # ISO 8601, UTC
    stopped_at: str | None = None  # ISO 8601, UTC; None while RUNNING
    # The judge's verdicts recorded so far (recorded_verdicts), oldest first.
    verdicts: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def verdict(self) -> dict[str, Any] | None:
        """The latest verdict with its numbers per metric, as `cutover status` shows it."""
        return latest_with_numbers(self.verdicts)


# The newest history records searched for a finished execution's: `cutover watch` follows the
# running deployment or one just started, so its record is among the newest few.
FINISHED_RECORDS_READ = 5


def rollout_view(target: Target, execution_arn: str, recent: int = 6) -> RolloutView:
    sfn = target.client("stepfunctions")
    described = sfn.describe_execution(executionArn=execution_arn)
    events = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, maxResults=100)["events"]
    entered = [e for e in events if e["type"].endswith("StateEntered")]
    entered.sort(key=lambda e: e["id"])
    latest_state = _latest_state(entered)
    held = lock(target)
    owned = held if held and held.owner == execution_arn else None
    output = described.get("output")
    status = described["status"]
    timelines: list[list[dict[str, Any]]] = [list((latest_state or {}).get("timeline") or []), _lock_notes(owned)]
    if status != "RUNNING":  # the whole timeline is in the history record once the execution ends
        timelines.extend(
            [event.model_dump(mode="json") for event in record.timeline]
            for record in history(target, FINISHED_RECORDS_READ)
            if record.execution == execution_arn
        )
    return RolloutView(
        execution=execution_arn,
        status=status,
        error=described.get("error"),
        cause=described.get("cause"),
        output=json.loads(output) if output else None,
        weights=weights(target),
        phase=owned.phase if owned else None,
        new_side=(latest_state or {}).get("new_side") or (owned.new_side if owned else None),
        bake=(latest_state or {}).get("bake"),
        states=tuple(e["stateEnteredEventDetails"]["name"] for e in entered[-recent:]),
        request=_json_or_none(described.get("input")),
        started_at=_iso(described.get("startDate")),
        stopped_at=_iso(described.get("stopDate")),
        verdicts=recorded_verdicts(*timelines),
    )


def _json_or_none(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        return None


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


def _latest_state(entered: list[dict[str, Any]]) -> dict[str, Any] | None:
    for event in reversed(entered):
        try:
            document = json.loads(event["stateEnteredEventDetails"].get("input") or "null")
        except json.JSONDecodeError:
            continue
        if isinstance(document, dict) and "execution" in document:
            return document
    return None
