"""Cutover on local AWS: the synthesized stack created in moto, its real state machine
run by moto's interpreter, our real handlers invoked in-process.

Used by the workflow tests and the demo. What is faked is only what AWS would do and
moto does not (see moto_patches, lambda_runtime, ecs_emulation, time_compression)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from cutover.local import (
    aws_timing,
    ecs_emulation,
    failed_task_starts,
    iam_enforcement,
    listener_changes,
    moto_patches,
    moto_speedups,
    moto_task_definition_roles,
    step_functions_quotas,
    time_compression,
)
from cutover.local.aws_timing import AwsTiming
from cutover.local.cloud_assembly import SynthesizedStack, create_stack
from cutover.local.execution_role_checks import ExecutionRoles
from cutover.local.lambda_runtime import InProcessLambda
from cutover.local.moto_lookups import MotoLookups
from cutover.local.template_roles import StackResolver, function_identities
from cutover.shifter import clock as metrics_clock
from cutover.shifter.contract import SIDES, Env, Output, SideOutput, side_output
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.readers.history import read_history
from cutover.shifter.readers.live_state import read_live_state
from cutover.shifter.readers.lock import read_lock_item
from cutover.shifter.readers.weights import read_weights

AWS_TIMING = AwsTiming()  # the defaults: see aws_timing
lambda_runtime = InProcessLambda()
# On by default: every call our Lambdas make is checked against their template roles.
iam = iam_enforcement.enforcer


def install(time_scale: float = 0.001, timing: AwsTiming | None = AWS_TIMING) -> time_compression.TimeRecorder:
    """Patch moto once per process (idempotent); `timing` None keeps moto's instant timing."""
    moto_patches.apply()
    moto_task_definition_roles.apply()
    lambda_runtime.install()
    lambda_runtime.acting_as = iam.acting_as
    ecs_emulation.install()
    listener_changes.install()
    if timing is None:
        aws_timing.disable()
    else:
        aws_timing.enable(timing)
    recorder = time_compression.install(time_scale)
    # Waits are compressed: the judge reads CloudWatch on the same compressed clock (shifter/clock.py).
    metrics_clock.use_metrics_clock(aws_timing.utc_now)
    step_functions_quotas.install()  # after the compression: its timeout counts compressed waits
    return recorder


@dataclass(frozen=True)
class Execution:
    arn: str
    status: str
    error: str | None
    cause: str | None
    output: Any


class LocalCutover:
    def __init__(self, assembly_dir: Path, stack_name: str, region: str) -> None:
        self.stack = SynthesizedStack.load(assembly_dir, stack_name)
        self.region = region
        self.outputs: dict[str, str] = {}
        self.account = ""
        self.resolver: StackResolver | None = None  # the template's intrinsics, resolved to what moto created
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    def client(self, service: str) -> Any:
        """One client per service, kept: creating one costs ~10 ms of CPU (botocore loads its model),
        and `wait` polling every 20 ms with new ones took a quarter of the CPU a workflow test used,
        from the interpreter thread it waits for (py-spy on tests/workflow/test_deploy.py, 2026-12-04).
        boto3's clients are thread-safe ("Low-level clients are thread safe", boto3 guide, clients)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(service, region_name=self.region)  # type: ignore[call-overload]
            return self._clients[service]

    def create(self) -> dict[str, str]:
        self.account = self.client("sts").get_caller_identity()["Account"]
        listed = self.client("cloudformation").get_paginator("list_stacks").paginate()  # ListStacks pages
        stacks_before = sum(len(page["StackSummaries"]) for page in listed)
        moto_speedups.seed_for_stack(self.stack.name, stacks_before)  # the same names in every test
        self.outputs = create_stack(
            self.stack, self.client("cloudformation"), self.client("s3"), self.account, self.region
        )
        self.resolver = StackResolver.from_stack(self.stack.template, self.client("cloudformation"), self.stack.name)
        iam.configure(function_identities(self.stack.template, self.resolver), MotoLookups(self.account, self.region))
        ecs_emulation.reset()
        for side in SIDES:
            ecs_emulation.bind(
                self.outputs[side_output(side, SideOutput.SERVICE_NAME)],
                self.outputs[side_output(side, SideOutput.TARGET_GROUP_ARN)],
            )
        # ECS starts a side's tasks only if its execution role (as the template defines it) may.
        failed_task_starts.configure(ExecutionRoles(self.stack.template, self.resolver))
        ecs_emulation.sync(self.account, self.region, self.outputs[Output.CLUSTER_NAME])
        return self.outputs

    # ------------------------------------------------------------------ executions
    def start(self, execution_input: Any, name: str) -> str:
        body = execution_input if isinstance(execution_input, str) else json.dumps(execution_input)
        started = self.client("stepfunctions").start_execution(
            stateMachineArn=self.outputs[Output.STATE_MACHINE_ARN], name=name, input=body
        )
        return str(started["executionArn"])

    def describe(self, arn: str) -> Execution:
        described = self.client("stepfunctions").describe_execution(executionArn=arn)
        output = described.get("output")
        return Execution(
            arn=arn,
            status=described["status"],
            error=described.get("error"),
            cause=described.get("cause"),
            output=json.loads(output) if output else None,
        )

    def wait(self, arn: str, timeout_seconds: float = 60.0) -> Execution:
        """Bounded: poll until the execution leaves RUNNING."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            execution = self.describe(arn)
            if execution.status != "RUNNING":
                return execution
            time.sleep(0.02)
        raise TimeoutError(f"{arn} still RUNNING after {timeout_seconds} s")

    def run(self, execution_input: Any, name: str, timeout_seconds: float = 60.0) -> Execution:
        return self.wait(self.start(execution_input, name), timeout_seconds)

    def history(self, arn: str) -> list[dict[str, Any]]:
        """The whole history, oldest first (GetExecutionHistory pages it, 1,000 events at most a call)."""
        pages = self.client("stepfunctions").get_paginator("get_execution_history")
        return [event for page in pages.paginate(executionArn=arn, maxResults=1000) for event in page["events"]]

    # ------------------------------------------------------------------ what a user looks at
    def weights(self) -> dict[str, int]:
        """What the shifter sees: a foreign target group on the listener raises InconsistentTraffic."""
        groups: dict[str, str] = {side: self.outputs[side_output(side, SideOutput.TARGET_GROUP_ARN)] for side in SIDES}
        return read_weights(self.client("elbv2"), self.outputs[Output.LISTENER_ARN], groups).owned()

    def service(self, side: str) -> dict[str, Any]:
        name = self.outputs[side_output(side, SideOutput.SERVICE_NAME)]
        ecs = self.client("ecs")
        described = ecs.describe_services(cluster=self.outputs[Output.CLUSTER_NAME], services=[name])["services"][0]
        task_definition = ecs.describe_task_definition(taskDefinition=described["taskDefinition"])["taskDefinition"]
        return {
            "desired": described["desiredCount"],
            "task_definition": described["taskDefinition"],
            "image": task_definition["containerDefinitions"][0]["image"],
        }

    def live_state(self) -> dict[str, str]:
        return read_live_state(self.client("ssm"), self.outputs[Output.LIVE_STATE_PREFIX])

    def lock(self) -> dict[str, Any] | None:
        """The lock item's attributes as plain values (the demo and the tests match on them)."""
        item = read_lock_item(
            self.client("dynamodb"), self.outputs[Output.TABLE_NAME], self.outputs[Output.SERVICE_NAME]
        )
        return {key: next(iter(value.values())) for key, value in item.items()} if item else None

    def deployments(self) -> list[HistoryRecord]:
        """The whole history, newest first."""
        return read_history(self.client("dynamodb"), self.outputs[Output.TABLE_NAME], self.outputs[Output.SERVICE_NAME])

    # ------------------------------------------------------------------ what AWS would do
    def set_alarm(self, name: str, state: str, reason: str = "threshold crossed") -> None:
        """moto never evaluates metrics: put the alarm into a state, as CloudWatch would."""
        self.client("cloudwatch").set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)

    def deliver_alarm_event(self, name: str) -> dict[str, Any]:
        """moto emits no EventBridge events: deliver the "CloudWatch Alarm State Change"
        event (AWS event reference shape) to the rule's target, as EventBridge would. The
        event carries the alarm's current state reason, as CloudWatch's own event does."""
        alarm = self.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
        reason = alarm.get("StateReason", "")
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        event = {
            "version": "0",
            "id": "local-event",
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": now,
            "region": self.region,
            "resources": [f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"],
            "detail": {
                "alarmName": name,
                "state": {"value": "ALARM", "reason": reason, "timestamp": now},
                "previousState": {"value": "OK", "reason": "", "timestamp": now},
                "configuration": {"metrics": []},
            },
        }
        response = self.client("lambda").invoke(
            FunctionName=self.outputs[Output.ALARM_EVENTS_FUNCTION_NAME], Payload=json.dumps(event).encode()
        )
        payload: dict[str, Any] = json.loads(response["Payload"].read())
        return payload

    def deliver_execution_event(self, execution_arn: str, status: str) -> dict[str, Any]:
        """moto emits no Step Functions events: deliver "Step Functions Execution Status
        Change" (AWS event reference shape) to the rule's target, as EventBridge would."""
        event = {
            "version": "0",
            "id": "local-event",
            "detail-type": "Step Functions Execution Status Change",
            "source": "aws.states",
            "account": self.account,
            "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "region": self.region,
            "resources": [execution_arn],
            "detail": {
                "executionArn": execution_arn,
                "stateMachineArn": self.outputs[Output.STATE_MACHINE_ARN],
                "name": execution_arn.rsplit(":", 1)[-1],
                "status": status,
            },
        }
        response = self.client("lambda").invoke(
            FunctionName=self.outputs[Output.EXECUTION_EVENTS_FUNCTION_NAME], Payload=json.dumps(event).encode()
        )
        payload: dict[str, Any] = json.loads(response["Payload"].read())
        return payload

    def set_target_health(self, side: str, state: str | None) -> None:
        ecs_emulation.set_health(self.outputs[side_output(side, SideOutput.TARGET_GROUP_ARN)], state)

    def point_smoke_tests_at(self, base_url: str) -> None:
        """The shifter's smoke tests reach the test route at CUTOVER_BASE_URL (the ALB on AWS)."""
        lam = self.client("lambda")
        name = self.outputs[Output.WORKFLOW_FUNCTION_NAME]
        variables = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
        lam.update_function_configuration(
            FunctionName=name, Environment={"Variables": {**variables, Env.BASE_URL.value: base_url}}
        )
