"""Names that cross the boundaries between the stacks, the Lambda, the CLI and the service's containers.

Dependency-free on purpose: the CDK app, the Lambda asset, the CLI, the local harness and the
tests all import it, so it may import nothing but the standard library. A name defined here is
written by one side of a boundary and read by the other; renaming it here renames it on both.

Error names are not here: a Lambda error's name is its exception's class name (Lambda reports
`errorType`), so those are `cutover.shifter.logic.errors`' classes and the stack takes `__name__`. Only
the errors the state machine raises itself (its Fail states), with no class behind them, are.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

Side = Literal["blue", "green"]
SIDES: Final[tuple[Side, Side]] = ("blue", "green")


class Output(StrEnum):
    """The stack's CloudFormation outputs (cutover/cdk/cutover_stack.py): the CLI and the local harness
    find everything they read through them."""

    SERVICE_NAME = "ServiceName"
    ALB_DNS_NAME = "AlbDnsName"
    BASE_URL = "BaseUrl"
    LISTENER_ARN = "ListenerArn"
    CLUSTER_NAME = "ClusterName"
    TABLE_NAME = "TableName"
    TOPIC_ARN = "TopicArn"
    LIVE_STATE_PREFIX = "LiveStatePrefix"
    DASHBOARD_NAME = "DashboardName"
    STATE_MACHINE_ARN = "StateMachineArn"
    WORKFLOW_FUNCTION_NAME = "WorkflowFunctionName"
    ALARM_EVENTS_FUNCTION_NAME = "AlarmEventsFunctionName"
    EXECUTION_EVENTS_FUNCTION_NAME = "ExecutionEventsFunctionName"
    TEST_TOKEN_SECRET_ARN = "TestTokenSecretArn"  # only when the test route has a token


class SideOutput(StrEnum):
    """One output per side: `side_output("blue", SideOutput.SERVICE_NAME)` is `BlueServiceName`."""

    SERVICE_NAME = "ServiceName"
    TARGET_GROUP_ARN = "TargetGroupArn"
    TEMPLATE_TASK_DEFINITION_ARN = "TemplateTaskDefinitionArn"
    TEST_RULE_ARN = "TestRuleArn"
    ALARM_NAMES = "AlarmNames"  # comma-separated


def side_output(side: str, key: SideOutput) -> str:
    """`side` is a `Side`; typed str so that callers holding a side as text need no cast."""
    return f"{side.capitalize()}{key.value}"


# Every variable the stack sets on the shifter's functions starts with it; the Lambda parses those.
ENV_PREFIX: Final = "CUTOVER_"


class Env(StrEnum):
    """The shifter functions' environment variables: the stack writes them
    (cutover/cdk/shifter_functions.py), `cutover.shifter.environment.ShifterEnvironment` parses them, and the
    CLI's `plan` and the local harness read a few from the deployed function."""

    SERVICE = "CUTOVER_SERVICE"
    CLUSTER = "CUTOVER_CLUSTER"
    LISTENER_ARN = "CUTOVER_LISTENER_ARN"
    TABLE = "CUTOVER_TABLE"
    TOPIC_ARN = "CUTOVER_TOPIC_ARN"
    LIVE_STATE_PREFIX = "CUTOVER_LIVE_STATE_PREFIX"
    SERVICES = "CUTOVER_SERVICES"
    TARGET_GROUPS = "CUTOVER_TARGET_GROUPS"
    TEMPLATE_TASK_DEFINITIONS = "CUTOVER_TEMPLATE_TASK_DEFINITIONS"
    SIDE_ALARMS = "CUTOVER_SIDE_ALARMS"
    GLOBAL_ALARMS = "CUTOVER_GLOBAL_ALARMS"
    CONTAINER_NAME = "CUTOVER_CONTAINER_NAME"
    ECR_REPOSITORIES = "CUTOVER_ECR_REPOSITORIES"
    BASE_URL = "CUTOVER_BASE_URL"
    TEST_TOKEN_SECRET_ARN = "CUTOVER_TEST_TOKEN_SECRET_ARN"
    STICKINESS_SECONDS = "CUTOVER_STICKINESS_SECONDS"
    AUTOSCALING = "CUTOVER_AUTOSCALING"
    DEFAULTS = "CUTOVER_DEFAULTS"
    ON_STEP_HOOKS = "CUTOVER_ON_STEP_HOOKS"
    ON_ROLLBACK_HOOKS = "CUTOVER_ON_ROLLBACK_HOOKS"


class ContainerEnv(StrEnum):
    """What the stack tells each side's container (cutover/cdk/service_side.py): its side and its
    service. The example service reads SIDE under the name its own contract gives it
    (service/cutover_service/contract.py: that package imports nothing of Cutover's, and
    tests/infra/test_contract.py keeps the two equal); a user's app may read both, e.g. for the
    Side and Service dimensions of its own metrics (README, "A metric of your own")."""

    SIDE = "CUTOVER_SIDE"
    SERVICE = "CUTOVER_SERVICE"


# The CloudWatch namespace of the shifter's own metrics (Powertools reads it from the environment).
METRICS_NAMESPACE: Final = "Cutover"


class StepName(StrEnum):
    """The `step` the state machine sends the workflow function (cutover/cdk/traffic_shifter.py), one
    handler each (shifter/handlers/workflow.py)."""

    VALIDATE = "validate"
    ACQUIRE_LOCK = "acquire_lock"
    READ_LIVE_STATE = "read_live_state"
    PREPARE_IDLE_SIDE = "prepare_idle_side"
    CHECK_STABLE = "check_stable"
    CHECK_TARGET_HEALTH = "check_target_health"
    RUN_SMOKE_TESTS = "run_smoke_tests"
    SHIFT_WEIGHTS = "shift_weights"
    REGISTER_BAKE_TOKEN = "register_bake_token"
    CHECK_BAKE = "check_bake"
    COMPLETE_BAKE = "complete_bake"
    END_PROMOTED_BAKE = "end_promoted_bake"
    BEGIN_FINAL_WAIT = "begin_final_wait"
    SCALE_DOWN_OLD_SIDE = "scale_down_old_side"
    FINISH = "finish"
    ROLLBACK = "rollback"
    FINISH_ROLLBACK = "finish_rollback"
    QUARANTINE = "quarantine"
    RECORD_ROLLBACK_HOOK = "record_rollback_hook"
    SIGNAL_RUNNING_DEPLOYMENT = "signal_running_deployment"


class StateMachineError(StrEnum):
    """Errors the state machine's own Fail states end an execution with (no Lambda raises them)."""

    ROLLBACK_INCOMPLETE = "RollbackIncomplete"  # the rollback itself failed: the lock is quarantined
    FINISH_INCOMPLETE = "FinishIncomplete"  # deployed, but scaling the old side down or finishing failed


class LiveKey(StrEnum):
    """The live-state parameters of a side, `<prefix>/<side>/<key>` (docs/live-state.md): seeded by
    the stack (cutover/cdk/live_state.py), which the template reads; written by the shifter
    (shifter/adapters/live_state_store.py); read by the CLI and the harness."""

    WEIGHT = "weight"
    TASK_DEFINITION = "task-definition"
    IMAGE = "image"
    DESIRED_COUNT = "desired-count"
    MIN_CAPACITY = "min-capacity"  # only with autoscaling
    MAX_CAPACITY = "max-capacity"


# The deployment table's key attributes (cutover/cdk/deployment_table.py; shifter/readers/table_keys.py).
TABLE_PARTITION_KEY: Final = "pk"
TABLE_SORT_KEY: Final = "sk"


class LockAttribute(StrEnum):
    """The deployment lock item's attributes (besides its keys, shifter/readers/table_keys.py):
    written by shifter/adapters/deployment_table.py, read by shifter/readers/lock.py."""

    OWNER = "owner"  # the execution ARN
    ACQUIRED_AT = "acquired_at"
    EXPIRES_AT = "expires_at"  # epoch seconds; absent once quarantined
    QUARANTINED = "quarantined"
    DETAILS = "details"  # JSON
    TASK_TOKEN = "task_token"  # the bake task waiting for an alarm event
    TASK_KEY = "task_key"  # which bake the token belongs to
    NEW_SIDE = "new_side"
    PHASE = "phase"
    REQUESTS = "requests"  # a string set: promote, abort
    TRIGGER = "trigger"  # what failed the token (a task failure's cause is dropped by moto and the console)
    PAUSED_KEY = "paused_key"  # the bake the judge paused for a promote
    BAKE_NOTES = "bake_notes"  # JSON: the running bake's timeline notes
