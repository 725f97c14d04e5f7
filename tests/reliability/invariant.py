"""The invariant, checked whenever no execution is running: production traffic is 100 % on
exactly one side, which runs what the live state records and can serve; live state,
listener and history agree; the lock is free; the outcome matches what happened."""

from __future__ import annotations

from dataclasses import dataclass

from cutover.local.runtime import Execution, LocalCutover


@dataclass(frozen=True)
class Before:
    live_side: str
    image: str  # what the live side ran before the execution


def snapshot(cutover: LocalCutover) -> Before:
    weights = cutover.weights()
    live = next(side for side, weight in weights.items() if weight == 100)
    return Before(live_side=live, image=cutover.service(live)["image"])


def violations(cutover: LocalCutover, execution: Execution, before: Before, requested_image: str | None) -> list[str]:
    found: list[str] = []
    weights = cutover.weights()
    if sorted(weights.values()) != [0, 100]:
        return [f"traffic is not 100 % on one side: {weights}"]
    live = next(side for side, weight in weights.items() if weight == 100)
    service = cutover.service(live)
    state = cutover.live_state()
    if service["desired"] < 1:
        found.append(f"{live} has all traffic but no tasks")
    if service["task_definition"] != state[f"{live}/task-definition"]:
        found.append(f"{live} runs {service['task_definition']}, live state records {state[f'{live}/task-definition']}")
    if service["image"] != state[f"{live}/image"]:
        found.append(f"{live} runs {service['image']}, live state records {state[f'{live}/image']}")
    health = cutover.client("elbv2").describe_target_health(
        TargetGroupArn=cutover.outputs[f"{live.capitalize()}TargetGroupArn"]
    )["TargetHealthDescriptions"]
    if not any(t["TargetHealth"]["State"] == "healthy" for t in health):
        found.append(f"{live} has all traffic and no healthy target")
    for side, weight in weights.items():
        if state[f"{side}/weight"] != str(weight):
            found.append(f"live state says {side} {state[f'{side}/weight']} %, the listener {weight} %")
    if cutover.lock() is not None:
        found.append(f"the lock is still held: {cutover.lock()}")
    found.extend(_outcome(execution, before, live, service["image"], requested_image))
    found.extend(_history(cutover, execution))
    return found


def _outcome(execution: Execution, before: Before, live: str, image: str, requested: str | None) -> list[str]:
    # FinishIncomplete: the old side was already being scaled down, so the new image is live.
    if execution.status == "SUCCEEDED" or execution.error == "FinishIncomplete":
        if requested is not None and image != requested:
            return [f"SUCCEEDED but {live} runs {image}, not {requested}"]
        return []
    if (live, image) != (before.live_side, before.image):
        return [f"{execution.error} but traffic moved: {before.live_side}/{before.image} -> {live}/{image}"]
    if not execution.cause:
        return [f"{execution.error} without a cause"]
    return []


def _history(cutover: LocalCutover, execution: Execution) -> list[str]:
    name = execution.arn.rsplit(":", 1)[-1]
    records = [r for r in cutover.deployments() if r.execution.endswith(f":{name}")]
    if not records:
        return []  # rejected before the lock: nothing to record
    outcome = records[0].outcome
    expected = {"SUCCEEDED": {"SUCCEEDED"}, "FAILED": {"ROLLED_BACK", "FAILED", "ROLLBACK_INCOMPLETE"}}
    if execution.error == "FinishIncomplete":
        expected["FAILED"] = {"RUNNING", "SUCCEEDED"}  # the bookkeeping is what failed
    if outcome not in expected.get(execution.status, set()):
        return [f"history says {outcome}, the execution ended {execution.status}"]
    return []
