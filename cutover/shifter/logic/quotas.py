"""What a deployment plan costs in Step Functions' terms, and the limits it must fit.

Step Functions service quotas (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html):
"Maximum execution history size: 25,000 events in a single state machine execution history.
If the execution history reaches this quota, the execution will fail." That failure is outside
any Catch: no rollback, traffic left split. An execution also fails at the state machine's
TimeoutSeconds, and a CodePipeline action at its own timeout. Validation refuses a plan that
would meet any of them, with one line naming the limit (`check_plan`); `cutover plan` shows
the same estimate.

Events per part of a plan, counted on the synthesized state machine's histories (checked
against local runs by tests/workflow/test_history_estimate.py):
- a deployment of one step, without bake or final wait: 77 (validate to finish, one attempt
  of the stability and health loops);
- each further step: 9 (the shift task 5, two Choice states 2 each);
- each on_step hook at each step: 7 (the task 5, its answer's Choice 2), plus 2 per step for
  the stage's Choice; up to 9 when it fails (its reason's Choice), once per execution;
- each on_rollback hook, once per rollback: 12 at most (the task 5, its answer's Choice 2, the
  step recording its failure 5), plus 2 for the stage's Choice; counted in the bound only, as
  the rest of the rollback path;
- each bake or final wait: 15 (the Parallel 4, the token task 6, the complete task 5), plus
  9 per poll (a Wait 2, the check task 5, a Choice 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from cutover.shifter.logic.durations import format_duration
from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import HookSwitches
from cutover.shifter.logic.plan import DeploymentPlan

HISTORY_EVENTS_QUOTA: Final = 25_000
# What the longest accepted plan may use, retries included: the rest is margin.
HISTORY_EVENTS_BUDGET: Final = 20_000

ONE_STEP_EVENTS: Final = 77
STEP_EVENTS: Final = 9
WAIT_EVENTS: Final = 15
POLL_EVENTS: Final = 9
ON_STEP_STAGE_EVENTS: Final = 2
ON_STEP_HOOK_EVENTS: Final = 7
ON_ROLLBACK_STAGE_EVENTS: Final = 2
ON_ROLLBACK_HOOK_EVENTS: Final = 12
# Upper bounds for what a plan does not say: up to 9 more attempts of each start-up loop
# (steps/prepare.py: 10 attempts), up to 10 hooks per stage (9 events each, 2 for the stage's
# Choice), the rollback path, and retried invocations (3 events each: scheduled, started, failed).
LOOP_ALLOWANCE_EVENTS: Final = 2 * 9 * POLL_EVENTS
HOOK_ALLOWANCE_EVENTS: Final = 2 * (2 + 10 * 9)
ROLLBACK_ALLOWANCE_EVENTS: Final = 60
RETRY_ALLOWANCE_EVENTS: Final = 1_000
ALLOWANCE_EVENTS: Final = (
    LOOP_ALLOWANCE_EVENTS + HOOK_ALLOWANCE_EVENTS + ROLLBACK_ALLOWANCE_EVENTS + RETRY_ALLOWANCE_EVENTS
)

# A wait longer than an hour polls every 10 minutes at most: alarm events (and abort and
# promote, through the waiting task token) still end it at once; the poll is the backstop.
LONG_WAIT_SECONDS: Final = 3_600
LONG_WAIT_POLL_SECONDS: Final = 600

DAY: Final = 86_400
# The longest a plan may wait in all (bakes, pauses held their longest, the final wait): room
# for a 7-day pause and a 48 h termination wait (CodeDeploy's longest) with a day of bakes.
MAX_PLAN_SECONDS: Final = 10 * DAY
# What a plan does not count: stability and health loops (2 x 10 x 30 s), hooks (20 x 900 s),
# smoke tests, retries' back-off.
UNWAITED_SECONDS: Final = 6 * 3_600
# The state machine's TimeoutSeconds (cutover/cdk/traffic_shifter.py): covers the longest plan accepted.
STATE_MACHINE_TIMEOUT_SECONDS: Final = MAX_PLAN_SECONDS + UNWAITED_SECONDS
# CodePipeline fails a Step Functions invoke action that runs longer than 7 days.
PIPELINE_ACTION_TIMEOUT_SECONDS: Final = 7 * DAY
# The pipeline's StepFunctionInvokeAction names its executions `<prefix>-<action execution id>`.
PIPELINE_EXECUTION_PREFIX: Final = "pipeline"


def poll_seconds(wait_seconds: int, poll_interval_seconds: int) -> int:
    """How often a wait of this length checks alarms, promote and abort."""
    if wait_seconds <= LONG_WAIT_SECONDS:
        return poll_interval_seconds
    return max(poll_interval_seconds, LONG_WAIT_POLL_SECONDS)


def polls(wait_seconds: int, poll_interval_seconds: int) -> int:
    return math.ceil(wait_seconds / poll_seconds(wait_seconds, poll_interval_seconds))


@dataclass(frozen=True)
class PlanEstimate:
    expected_events: int  # a run without retries, pauses held their longest, one loop attempt each
    events: int  # the upper bound validation holds to the budget
    longest_seconds: int  # every wait, pauses held their longest, plus what a plan does not count

    def summary(self) -> str:
        return (
            f"up to {self.events:,} history events (Step Functions allows {HISTORY_EVENTS_QUOTA:,}; "
            f"Cutover accepts {HISTORY_EVENTS_BUDGET:,}), up to {format_duration(self.longest_seconds)}"
        )


def waits(plan: DeploymentPlan) -> list[int]:
    """Each bake, pause (held its longest) and the final wait, in seconds; zero-length ones skipped.
    With the judge on, each judged bake's extensions and its pause on an inconclusive verdict
    (held its longest) too: their polls are history events (counted as waits of their own, an
    upper bound)."""
    steps = [plan.max_pause_seconds if step.pause else step.bake_seconds for step in plan.steps]
    judge = plan.analysis
    extra: list[int] = []
    if judge.extra_wait_seconds():
        extra += [judge.on_inconclusive.extend_seconds] * judge.on_inconclusive.max_extensions
    if judge.pauses_when_inconclusive():
        extra.append(plan.max_pause_seconds)
    return [seconds for seconds in (*steps, plan.final_wait_seconds(), *extra * plan.judged_bakes()) if seconds > 0]


def estimate(plan: DeploymentPlan, *, on_step_hooks: int = 0, on_rollback_hooks: int = 0) -> PlanEstimate:
    """`on_step_hooks`: the on_step hooks this deployment runs at every step (a loop);
    `on_rollback_hooks`: the on_rollback hooks a rollback of it runs."""
    expected = ONE_STEP_EVENTS + STEP_EVENTS * (len(plan.steps) - 1)
    if on_step_hooks:
        expected += len(plan.steps) * (ON_STEP_STAGE_EVENTS + ON_STEP_HOOK_EVENTS * on_step_hooks)
    expected += sum(WAIT_EVENTS + POLL_EVENTS * polls(seconds, plan.poll_interval_seconds) for seconds in waits(plan))
    rollback_hooks = ON_ROLLBACK_STAGE_EVENTS + ON_ROLLBACK_HOOK_EVENTS * on_rollback_hooks if on_rollback_hooks else 0
    return PlanEstimate(
        expected_events=expected,
        events=expected + ALLOWANCE_EVENTS + rollback_hooks,
        longest_seconds=plan.maximum_duration_seconds() + UNWAITED_SECONDS,
    )


@dataclass(frozen=True)
class ConfiguredHooks:
    """How many hooks the stack configures in its looped and rollback stages."""

    on_step: int = 0
    on_rollback: int = 0

    def run_by(self, switches: HookSwitches) -> dict[str, int]:
        """`estimate`'s hook counts for a deployment with these switches."""
        return {
            "on_step_hooks": self.on_step if switches.on_step else 0,
            "on_rollback_hooks": self.on_rollback if switches.on_rollback else 0,
        }


def is_pipeline_execution(execution_name: str) -> bool:
    return execution_name.startswith(f"{PIPELINE_EXECUTION_PREFIX}-")


def check_plan(
    plan: DeploymentPlan, *, pipeline: bool, on_step_hooks: int = 0, on_rollback_hooks: int = 0
) -> PlanEstimate:
    """The plan's estimate; InvalidInput, one line naming the limit, if it cannot run to its end."""
    found = estimate(plan, on_step_hooks=on_step_hooks, on_rollback_hooks=on_rollback_hooks)
    if found.events > HISTORY_EVENTS_BUDGET:
        raise InvalidInput(
            f"plan: up to {found.events:,} history events, over the {HISTORY_EVENTS_BUDGET:,} Cutover accepts "
            f"(Step Functions fails an execution at {HISTORY_EVENTS_QUOTA:,}): use fewer steps, shorter bakes "
            "or a longer poll interval"
        )
    waited = plan.maximum_duration_seconds()
    if waited > MAX_PLAN_SECONDS:
        raise InvalidInput(
            f"plan: waits up to {format_duration(waited)}, over the {format_duration(MAX_PLAN_SECONDS)} a deployment "
            "may wait in all (the state machine's timeout)"
        )
    if pipeline and found.longest_seconds > PIPELINE_ACTION_TIMEOUT_SECONDS:
        raise InvalidInput(
            f"plan: may run {format_duration(found.longest_seconds)}, over the "
            f"{format_duration(PIPELINE_ACTION_TIMEOUT_SECONDS)} CodePipeline allows its Step Functions action"
        )
    return found
