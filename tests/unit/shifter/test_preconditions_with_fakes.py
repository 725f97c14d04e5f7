"""validate, acquire_lock and read_live_state against the fakes: what the lock, the state,
the history and SNS look like before the first change, for each action and each refusal."""

from __future__ import annotations

import time
from collections.abc import Mapping

import pytest

from cutover.shifter.logic.errors import (
    AlarmAlreadyFiring,
    DeploymentInProgress,
    InconsistentTraffic,
    InvalidInput,
    LiveStateMismatch,
    NothingToRollBack,
    TargetUnhealthy,
)
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.state import WorkflowState
from cutover.shifter.logic.traffic import AlarmStatus
from cutover.shifter.readers.lock import Lock
from cutover.shifter.steps import preconditions
from tests.unit.shifter.fakes.context import TARGET_GROUPS, World, world

EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:shifter:run-1"
OTHER = "arn:aws:states:eu-west-1:123456789012:execution:shifter:run-0"
IMAGE = "public.ecr.aws/nginx/nginx:1.27"


@pytest.fixture(autouse=True)
def _no_metric_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


def recorded(w: World, side: str, *, weight: int, task_definition: str, image: str, desired: int) -> None:
    """The live state a side's parameters hold (SSM strings)."""
    w.live.values[side] = {
        "weight": str(weight),
        "task-definition": task_definition,
        "image": image,
        "desired-count": str(desired),
    }


def blue_live(w: World, *, bounds: bool = True) -> None:
    recorded(w, "blue", weight=100, task_definition="app-blue-td:1", image="registry/app:old", desired=2)
    recorded(w, "green", weight=0, task_definition="app-green-td:1", image="registry/app:older", desired=0)
    if bounds:
        w.live.values["blue"] |= {"min-capacity": "2", "max-capacity": "4"}


def validated(w: World, document: dict[str, object]) -> WorkflowState:
    return preconditions.validate(document, EXECUTION, w.ctx)


# ---------------------------------------------------------------------------------- validate


def test_a_deploy_is_validated_into_its_plan_and_says_so_in_the_timeline() -> None:
    w = world()
    state = validated(w, {"image": IMAGE, "reason": "release"})
    assert (state.execution_name, state.operation.action, state.operation.reason) == ("run-1", "deploy", "release")
    assert state.plan is not None and state.plan.image == IMAGE
    assert [s.weight for s in state.plan.steps] == [10, 100]  # the environment's canary default
    (event,) = state.timeline
    assert (event.event, event.detail["image"], event.detail["steps"]) == ("validated", IMAGE, [10, 100])
    assert "hooks_skipped" not in event.detail


def test_a_deploy_that_skips_hook_stages_names_them() -> None:
    w = world()
    state = validated(w, {"image": IMAGE, "hooks": {"on_step": False}})
    assert state.timeline[0].detail["hooks_skipped"] == ["on_step"]


def test_an_image_the_task_role_may_not_pull_is_refused_before_anything_is_touched() -> None:
    w = world()
    private = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/other:v1"
    with pytest.raises(InvalidInput, match="may not pull"):
        validated(w, {"image": private})
    assert w.table.lock is None and w.table.records == []


def test_an_invalid_input_is_refused_with_the_field_it_is_about() -> None:
    w = world()
    with pytest.raises(InvalidInput, match="action: unknown action"):
        validated(w, {"action": "deploy-everything"})


def test_a_switch_keeps_both_sides_running_and_prepares_nothing() -> None:
    state = validated(world(), {"action": "switch", "to": "green", "force": True})
    op = state.operation
    assert (op.action, op.to, op.force, op.prepare, op.scale_down_old) == ("switch", "green", True, "none", False)
    assert state.plan is None  # known once the live state is read


def test_a_repair_is_forced_and_prepares_nothing() -> None:
    op = validated(world(), {"action": "repair", "reason": "rollback failed"}).operation
    assert (op.action, op.force, op.prepare, op.scale_down_old, op.reason) == (
        "repair",
        True,
        "none",
        False,
        "rollback failed",
    )


@pytest.mark.parametrize("action", ["rollback", "promote", "abort"])
def test_a_signal_or_rollback_is_validated_with_its_action(action: str) -> None:
    state = validated(world(), {"action": action})
    assert state.operation.action == action and state.timeline[0].detail == {"action": action}


# ------------------------------------------------------------------------------ acquire_lock


def starting(w: World, document: dict[str, object]) -> WorkflowState:
    return validated(w, document)


def test_a_deploy_holds_the_lock_for_its_longest_duration_and_an_hour() -> None:
    w = world()
    state = starting(w, {"image": IMAGE})
    assert state.plan is not None
    before = int(time.time())
    preconditions.acquire_lock(state, w.ctx)
    lock = w.table.lock
    assert lock is not None and lock.owner == EXECUTION and lock.expires_at is not None
    longest = state.plan.maximum_duration_seconds() + preconditions.LOCK_MARGIN_SECONDS
    assert before + longest <= lock.expires_at <= int(time.time()) + longest
    assert lock.details == {"action": "deploy", "image": IMAGE, "reason": None}
    assert state.timeline[-1].event == "lock acquired"


def test_a_manual_action_holds_the_lock_for_its_own_bound() -> None:
    w = world()
    state = starting(w, {"action": "switch", "to": "green"})
    preconditions.acquire_lock(state, w.ctx)
    assert w.table.lock is not None and w.table.lock.expires_at is not None
    bound = preconditions.MANUAL_LOCK_SECONDS + preconditions.LOCK_MARGIN_SECONDS
    assert w.table.lock.expires_at - int(time.time()) in range(bound - 5, bound + 1)
    assert w.table.lock.details["image"] is None


def test_a_lock_held_by_another_execution_refuses_the_deployment() -> None:
    w = world()
    w.table.lock = Lock(owner=OTHER, acquired_at="2026-12-02T19:00:00+00:00", expires_at=int(time.time()) + 600)
    with pytest.raises(DeploymentInProgress, match="run-0"):
        preconditions.acquire_lock(starting(w, {"image": IMAGE}), w.ctx)
    assert w.table.lock.owner == OTHER


def test_an_expired_lock_is_taken_over_but_a_quarantined_one_never_expires() -> None:
    w = world()
    w.table.lock = Lock(owner=OTHER, acquired_at="2026-12-01T00:00:00+00:00", expires_at=int(time.time()) - 1)
    preconditions.acquire_lock(starting(w, {"image": IMAGE}), w.ctx)
    assert w.table.lock is not None and w.table.lock.owner == EXECUTION
    w.table.lock = Lock(owner=OTHER, acquired_at="2026-12-01T00:00:00+00:00", expires_at=None, quarantined=True)
    with pytest.raises(DeploymentInProgress):
        preconditions.acquire_lock(starting(w, {"image": IMAGE}), w.ctx)


def test_a_repair_takes_over_the_quarantined_lock_and_aims_away_from_the_failed_side() -> None:
    w = world()
    w.table.lock = Lock(
        owner=OTHER,
        acquired_at="2026-12-02T19:00:00+00:00",
        expires_at=None,
        quarantined=True,
        new_side="green",
        trigger="the rollback did not complete",
        details={"action": "deploy", "image": "registry/app:bad"},
    )
    state = preconditions.acquire_lock(starting(w, {"action": "repair"}), w.ctx)
    assert state.operation.repairs_side == "green"
    lock = w.table.lock
    assert lock is not None and (lock.owner, lock.quarantined, lock.expires_at) == (EXECUTION, True, None)
    assert lock.details["repairs"] == {"action": "deploy", "image": "registry/app:bad"}
    assert state.timeline[-1].detail == {"previous_owner": OTHER, "trigger": "the rollback did not complete"}


def test_a_repair_takes_a_free_lock_and_refuses_a_running_deployment() -> None:
    w = world()
    state = preconditions.acquire_lock(starting(w, {"action": "repair"}), w.ctx)
    assert state.operation.repairs_side is None
    assert w.table.lock is not None and w.table.lock.quarantined
    w.table.lock = Lock(owner=OTHER, acquired_at="2026-12-02T19:00:00+00:00", expires_at=int(time.time()) - 1)
    with pytest.raises(DeploymentInProgress, match="not quarantined: nothing to repair"):
        preconditions.acquire_lock(starting(w, {"action": "repair"}), w.ctx)  # even expired: not a repair's


# --------------------------------------------------------------------------- read_live_state


def holding(w: World, document: dict[str, object]) -> WorkflowState:
    state = validated(w, document)
    preconditions.acquire_lock(state, w.ctx)
    return state


def test_a_deploy_targets_the_idle_side_sized_like_the_live_one_and_announces_itself() -> None:
    w = world()
    blue_live(w)
    state = preconditions.read_live_state(holding(w, {"image": IMAGE}), w.ctx)
    assert (state.live_side, state.new_side, state.desired_count, state.bounds) == ("blue", "green", 2, (2, 4))
    assert state.previous is not None and (state.previous.image, state.previous.task_definition) == (
        "registry/app:old",
        "app-blue-td:1",
    )
    assert w.table.lock is not None and (w.table.lock.new_side, w.table.lock.phase) == ("green", "preparing")
    assert [(r.outcome, r.from_side, r.to_side) for r in w.table.records] == [("RUNNING", "blue", "green")]
    subject, body = w.notifier.messages[-1]
    assert subject == f"Cutover app: deploying {IMAGE} to green"
    assert (body["event"], body["weights"]) == ("started", {"green": 0, "blue": 100})


def test_a_side_without_autoscaling_bounds_has_none() -> None:
    w = world()
    blue_live(w, bounds=False)
    assert preconditions.read_live_state(holding(w, {"image": IMAGE}), w.ctx).bounds is None


def test_a_deploy_refuses_split_weights() -> None:
    w = world(blue_weight=90)
    blue_live(w)
    with pytest.raises(InconsistentTraffic, match="cutover switch"):
        preconditions.read_live_state(holding(w, {"image": IMAGE}), w.ctx)
    assert w.table.records == [] and w.notifier.messages == []


def test_an_alarm_already_firing_on_the_receiving_side_stops_the_deployment_with_its_reason() -> None:
    w = world()
    blue_live(w)
    alarms = w.alarms
    alarms.states["green-5xx"] = AlarmStatus("ALARM", "Threshold Crossed: 3 datapoints")
    alarms.states["blue-5xx"] = AlarmStatus("ALARM")  # the live side's: not what the new side gets
    with pytest.raises(AlarmAlreadyFiring, match=r"green-5xx already in ALARM .*\(green\) \(green-5xx: Threshold"):
        preconditions.read_live_state(holding(w, {"image": IMAGE}), w.ctx)
    alarms.states["green-5xx"] = AlarmStatus("ALARM")
    with pytest.raises(AlarmAlreadyFiring, match=r"\(green\)\.$"):
        preconditions.read_live_state(holding(w, {"image": IMAGE}), w.ctx)


# switch


def test_a_switch_to_the_side_that_has_all_traffic_is_already_done() -> None:
    w = world()
    state = preconditions.read_live_state(holding(w, {"action": "switch", "to": "blue"}), w.ctx)
    assert state.handled and state.outcome is not None and state.outcome.status == "SUCCEEDED"
    assert state.outcome.cause == "blue already has 100 % of production traffic"
    assert w.table.records == [] and w.notifier.messages == []


@pytest.mark.parametrize(("force", "smoke_tests", "attempts"), [(False, 1, 10), (True, 0, 1)])
def test_a_switch_targets_the_running_side_with_its_recorded_image(
    force: bool, smoke_tests: int, attempts: int
) -> None:
    w = world(blue_weight=50, green_tasks=3)
    blue_live(w)
    recorded(w, "green", weight=50, task_definition="app-green-td:1", image="registry/app:green", desired=3)
    state = preconditions.read_live_state(holding(w, {"action": "switch", "to": "green", "force": force}), w.ctx)
    assert (state.live_side, state.new_side, state.desired_count) == ("blue", "green", 3)
    assert state.plan is not None and state.plan.image == "registry/app:green"
    assert len(state.plan.smoke_tests) == smoke_tests and state.plan.reason == "switch to green"
    assert state.loop is not None and (state.loop.phase, state.loop.max_attempts) == ("health", attempts)
    assert w.notifier.messages[-1][0] == "Cutover app: switching to green"


def test_a_switch_refuses_a_side_that_runs_something_else_than_recorded() -> None:
    w = world(green_tasks=2)
    blue_live(w)
    recorded(w, "green", weight=0, task_definition="app-green-td:9", image="registry/app:green", desired=2)
    with pytest.raises(LiveStateMismatch, match="green runs app-green-td:1, but the live state records app-green-td:9"):
        preconditions.read_live_state(holding(w, {"action": "switch", "to": "green"}), w.ctx)


def test_a_switch_refuses_a_side_without_tasks() -> None:
    w = world(green_tasks=0)
    blue_live(w)
    with pytest.raises(TargetUnhealthy, match="green has no tasks"):
        preconditions.read_live_state(holding(w, {"action": "switch", "to": "green"}), w.ctx)


# repair


def repairing(w: World, failed_towards: str | None) -> WorkflowState:
    """After a rollback of a deployment towards `failed_towards` did not complete."""
    w.table.lock = Lock(
        owner=OTHER, acquired_at="2026-12-02T19:00:00+00:00", expires_at=None, quarantined=True, new_side=failed_towards
    )
    return holding(w, {"action": "repair"})


def test_a_repair_puts_traffic_on_the_side_the_rollback_was_returning_to() -> None:
    w = world(blue_weight=40, green_tasks=2)
    blue_live(w)
    recorded(w, "green", weight=60, task_definition="app-green-td:1", image="registry/app:new", desired=2)
    state = preconditions.read_live_state(repairing(w, "green"), w.ctx)
    assert (state.operation.to, state.live_side, state.new_side, state.desired_count) == ("blue", "green", "blue", 2)
    assert state.plan is not None and state.plan.smoke_tests == () and state.plan.reason == "repair: 100 % on blue"
    assert state.loop is not None and state.loop.max_attempts == 1
    assert not state.handled


def test_a_repair_falls_back_to_the_other_side_when_the_first_cannot_serve() -> None:
    w = world(blue_weight=40, green_tasks=2)
    blue_live(w)
    recorded(w, "green", weight=60, task_definition="app-green-td:1", image="registry/app:new", desired=2)
    w.load_balancer.healthy[TARGET_GROUPS["blue"]] = 0  # blue has tasks, none healthy
    state = preconditions.read_live_state(repairing(w, "green"), w.ctx)
    assert state.new_side == "green"


def test_a_repair_with_no_side_able_to_serve_keeps_the_quarantine_and_says_why() -> None:
    w = world(blue_weight=40, green_tasks=0)
    blue_live(w)
    w.live.values["blue"]["task-definition"] = "app-blue-td:7"
    with pytest.raises(TargetUnhealthy) as raised:
        preconditions.read_live_state(repairing(w, None), w.ctx)
    message = str(raised.value)
    assert "green has no tasks" in message and "blue runs app-blue-td:1" in message
    assert message.endswith("(the lock stays quarantined)")
    assert w.table.lock is not None and w.table.lock.quarantined


def test_a_repair_of_a_side_that_already_has_all_traffic_only_clears_the_quarantine() -> None:
    w = world()
    blue_live(w)
    state = preconditions.read_live_state(repairing(w, "green"), w.ctx)
    assert state.handled and state.outcome is not None
    assert state.outcome.cause == "blue already had 100 %; the quarantine is cleared"


# rollback


def history(w: World, *records: Mapping[str, object]) -> None:
    """Rows in the order they were written, the last the newest."""
    for index, fields in enumerate(records):
        record = HistoryRecord.model_validate(
            {"service": "app", "execution": f"run-{index}", "started_at": f"2026-12-0{index + 1}T00:00:00+00:00"}
            | dict(fields)
        )
        w.table.record_history(record.started_at, record.execution, record)


def rolling_back(w: World) -> WorkflowState:
    return holding(w, {"action": "rollback"})


SUCCESS_FROM_BLUE = {
    "action": "deploy",
    "outcome": "SUCCEEDED",
    "from_side": "blue",
    "to_side": "green",
    "previous_image": "registry/app:v1",
    "previous_task_definition": "app-blue-td:1",
}


def green_live(w: World) -> None:
    recorded(w, "green", weight=100, task_definition="app-green-td:2", image="registry/app:v2", desired=2)
    recorded(w, "blue", weight=0, task_definition="app-blue-td:1", image="registry/app:v1", desired=0)


def test_a_rollback_without_a_successful_deployment_has_nothing_to_do() -> None:
    w = world()
    history(w, SUCCESS_FROM_BLUE | {"outcome": "ROLLED_BACK"}, {"action": "switch", "outcome": "SUCCEEDED"})
    with pytest.raises(NothingToRollBack, match="no successful deployment"):
        preconditions.read_live_state(rolling_back(w), w.ctx)


def test_a_rollback_to_the_side_already_live_has_nothing_to_do() -> None:
    w = world()  # blue is live
    history(w, SUCCESS_FROM_BLUE)
    with pytest.raises(NothingToRollBack, match=r"blue \(registry/app:v1\) is already live"):
        preconditions.read_live_state(rolling_back(w), w.ctx)


def test_a_rollback_to_a_cold_side_scales_it_up_on_the_revision_it_ran_before() -> None:
    w = world(blue_weight=0, blue_tasks=0, green_tasks=2)
    green_live(w)
    history(w, SUCCESS_FROM_BLUE)
    state = preconditions.read_live_state(rolling_back(w), w.ctx)
    op = state.operation
    assert (op.to, op.prepare, op.scale_down_old) == ("blue", "reuse", False)
    assert (state.live_side, state.new_side, state.new_task_definition) == ("green", "blue", "app-blue-td:1")
    assert state.desired_count == 2  # sized like green, the live side
    assert state.loop is None  # prepared first, then checked
    assert state.plan is not None and state.plan.image == "registry/app:v1"
    assert w.notifier.messages[-1][0] == "Cutover app: rolling back to registry/app:v1 on blue"


def test_a_rollback_to_a_warm_side_goes_straight_to_its_health_check() -> None:
    w = world(blue_weight=0, blue_tasks=3, green_tasks=2)
    green_live(w)
    history(w, SUCCESS_FROM_BLUE)
    state = preconditions.read_live_state(rolling_back(w), w.ctx)
    assert state.operation.prepare == "none" and state.desired_count == 3
    assert state.loop is not None and (state.loop.phase, state.loop.max_attempts) == ("health", 10)


def test_a_rollback_after_an_old_record_takes_the_revision_from_the_live_state() -> None:
    w = world(blue_weight=0, blue_tasks=0, green_tasks=2)
    green_live(w)
    history(w, SUCCESS_FROM_BLUE | {"previous_image": None, "previous_task_definition": None})
    state = preconditions.read_live_state(rolling_back(w), w.ctx)
    assert state.new_task_definition == "app-blue-td:1"
    assert state.plan is not None and state.plan.image == "registry/app:v1"
