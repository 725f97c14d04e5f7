"""What the CLI reads from AWS to show a service, a rollout and its history."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cutover.cli.target import SIDES, Target


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
    deployment: dict[str, Any] | None  # the lock item of a running deployment


def weights(target: Target) -> dict[str, int]:
    listener = target.client("elbv2").describe_listeners(ListenerArns=[target.output("ListenerArn")])["Listeners"][0]
    side_of = {target.output(f"{s.capitalize()}TargetGroupArn"): s for s in SIDES}
    forward = next(a for a in listener["DefaultActions"] if a["Type"] == "forward")
    result = {side: 0 for side in SIDES}
    for group in forward.get("ForwardConfig", {}).get("TargetGroups", []):
        result[side_of.get(group["TargetGroupArn"], "?")] = group.get("Weight", 1)
    return result


def lock(target: Target) -> dict[str, Any] | None:
    item = (
        target.client("dynamodb")
        .get_item(
            TableName=target.output("TableName"),
            Key={"pk": {"S": f"SERVICE#{target.output('ServiceName')}"}, "sk": {"S": "LOCK"}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return {key: next(iter(value.values())) for key, value in item.items()} if item else None


def service_view(target: Target) -> ServiceView:
    current = weights(target)
    prefix = target.output("LiveStatePrefix")
    parameters = target.client("ssm").get_parameters_by_path(Path=prefix, Recursive=True)["Parameters"]
    live = {p["Name"].removeprefix(prefix + "/"): p["Value"] for p in parameters}
    names = [target.output(f"{s.capitalize()}ServiceName") for s in SIDES]
    described = target.client("ecs").describe_services(cluster=target.output("ClusterName"), services=names)
    services = {s["serviceName"]: s for s in described["services"]}
    alarm_names = {s: target.output(f"{s.capitalize()}AlarmNames").split(",") for s in SIDES}
    alarms = target.client("cloudwatch").describe_alarms(AlarmNames=[n for ns in alarm_names.values() for n in ns])
    firing = {a["AlarmName"] for a in alarms.get("MetricAlarms", []) if a["StateValue"] == "ALARM"}
    sides = []
    for side, name in zip(SIDES, names, strict=True):
        health = target.client("elbv2").describe_target_health(
            TargetGroupArn=target.output(f"{side.capitalize()}TargetGroupArn")
        )
        ecs = services.get(name, {})
        sides.append(
            SideView(
                side=side,
                weight=current[side],
                image=live.get(f"{side}/image", "?"),
                revision=ecs.get("taskDefinition", "?").rsplit("/", 1)[-1],
                desired=ecs.get("desiredCount", 0),
                running=ecs.get("runningCount", 0),
                healthy=sum(1 for t in health["TargetHealthDescriptions"] if t["TargetHealth"]["State"] == "healthy"),
                alarms_firing=tuple(n for n in alarm_names[side] if n in firing),
            )
        )
    return ServiceView(service=target.output("ServiceName"), sides=tuple(sides), deployment=lock(target))


def history(target: Target, limit: int) -> list[dict[str, Any]]:
    items = target.client("dynamodb").query(
        TableName=target.output("TableName"),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={
            ":pk": {"S": f"SERVICE#{target.output('ServiceName')}"},
            ":prefix": {"S": "DEPLOYMENT#"},
        },
        ScanIndexForward=False,
        Limit=limit,
    )["Items"]
    return [json.loads(item["record"]["S"]) for item in items]


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


def rollout_view(target: Target, execution_arn: str, recent: int = 6) -> RolloutView:
    sfn = target.client("stepfunctions")
    described = sfn.describe_execution(executionArn=execution_arn)
    events = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, maxResults=100)["events"]
    entered = [e for e in events if e["type"].endswith("StateEntered")]
    entered.sort(key=lambda e: e["id"])
    latest_state = _latest_state(entered)
    held = lock(target)
    owned = held if held and held.get("owner") == execution_arn else None
    output = described.get("output")
    return RolloutView(
        execution=execution_arn,
        status=described["status"],
        error=described.get("error"),
        cause=described.get("cause"),
        output=json.loads(output) if output else None,
        weights=weights(target),
        phase=owned.get("phase") if owned else None,
        new_side=(latest_state or {}).get("new_side") or (owned or {}).get("new_side"),
        bake=(latest_state or {}).get("bake"),
        states=tuple(e["stateEnteredEventDetails"]["name"] for e in entered[-recent:]),
        request=_json_or_none(described.get("input")),
        started_at=_iso(described.get("startDate")),
        stopped_at=_iso(described.get("stopDate")),
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
