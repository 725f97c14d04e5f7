"""The traffic shifter: the Step Functions workflow, its log group, and the alarm events.

validate → lock → live state → prepare idle side → stable? → healthy? → smoke tests →
(shift → bake)* → final wait → scale old side down → finish. Any failure after the lock
goes to rollback, which puts traffic back first and ends FAILED with a clear cause.
docs/workflow.md draws it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from cutover.cdk.blue_green_service import BlueGreenService
from cutover.cdk.event_dead_letters import EventDeadLetters
from cutover.cdk.shifter_functions import ShifterFunctions, state_machine_name
from cutover.cdk.side_alarms import ALARM_KINDS, alarm_name
from cutover.cdk.state_names import fit_state_name
from cutover.shifter.contract import SIDES, StateMachineError, StepName
from cutover.shifter.logic.errors import HookFailed, Promoted, TransientAwsError, WeightsNotApplied
from cutover.shifter.logic.quotas import STATE_MACHINE_TIMEOUT_SECONDS

# Our Lambdas raise TransientAwsError for throttling and 5xx that outlived botocore's own
# adaptive retries; WeightsNotApplied when the listener has not yet read back a change.
TRANSIENT_ERRORS = [TransientAwsError.__name__, WeightsNotApplied.__name__]
# Lambda's transient service errors, as "Handle Lambda service exceptions" lists them
# (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
LAMBDA_SERVICE_ERRORS = [
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
# An invocation that hit the function's timeout (Sandbox.Timedout; Lambda.Unknown covers
# timeouts and out-of-memory, same page). Every step is safe to run again: it re-reads what it
# changes. Retried briefly only, since the cause may be a slow dependency rather than luck.
LAMBDA_TIMEOUT_ERRORS = ["Sandbox.Timedout", "Lambda.Unknown"]

# What a hook may answer (docs/workflow.md, Lifecycle hooks): nothing (null) or
# {"status": "SUCCEEDED", …} passes; {"status": "FAILED", "reason": …} fails; anything else (a
# string, a list, a number, an object without that status) is not a pass either: a gate rolls
# back, an on_rollback hook's answer is recorded as its failure.
FAILED_WITHOUT_REASON = "answered FAILED without a reason"
UNEXPECTED_ANSWER = "unexpected answer (a hook answers nothing, or a status SUCCEEDED or FAILED)"


def _hook_status_is(value: str) -> sfn.Condition:
    """About $.hook_result, whatever JSON it holds. Each field is tested for presence and type
    before it is compared, as the rest of the machine does: a comparison on a field the input
    lacks fails the execution outside any Catch
    (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html, IsPresent, IsNull).
    On a string, a number or a list, `$.hook_result.status` is not present (or not a string)."""
    status = "$.hook_result.status"
    return sfn.Condition.and_(
        sfn.Condition.is_present(status), sfn.Condition.is_string(status), sfn.Condition.string_equals(status, value)
    )


def _hook_passed() -> sfn.Condition:
    return sfn.Condition.or_(sfn.Condition.is_null("$.hook_result"), _hook_status_is("SUCCEEDED"))


def _hook_gave_a_reason() -> sfn.Condition:
    reason = "$.hook_result.reason"
    return sfn.Condition.and_(sfn.Condition.is_present(reason), sfn.Condition.is_string(reason))


class TrafficShifter(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, service: BlueGreenService) -> None:
        super().__init__(scope, construct_id)
        config = service.config
        self.functions = ShifterFunctions(self, "Functions", service=service)
        self._workflow = self.functions.workflow
        self._hooks_config = config.hooks
        self._service_name = config.service_name

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/cutover-{config.service_name}",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name(config.service_name),
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(self._definition()),
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
            tracing_enabled=True,
            # Covers the longest plan validation accepts (shifter/logic/quotas.py).
            timeout=Duration.seconds(STATE_MACHINE_TIMEOUT_SECONDS),
        )

        self.dead_letters = EventDeadLetters(
            self, "DeadLetters", service_name=config.service_name, topic=service.notifications.topic
        )
        watched = [alarm_name(config.service_name, side, kind) for side in SIDES for kind in ALARM_KINDS]
        self.alarm_rule = events.Rule(
            self,
            "AlarmEvents",
            description=f"Cutover {config.service_name}: alarms that can fail a running bake at once",
            event_pattern=events.EventPattern(
                source=["aws.cloudwatch"],
                detail_type=["CloudWatch Alarm State Change"],
                detail={"alarmName": [*watched, *config.alarms.extra_alarm_names], "state": {"value": ["ALARM"]}},
            ),
            targets=[
                targets.LambdaFunction(
                    self.functions.alarm_events,
                    retry_attempts=4,
                    max_event_age=Duration.minutes(10),
                    dead_letter_queue=self.dead_letters.queue(
                        "alarm-events", "an alarm state change event", self.functions.alarm_events
                    ),
                )
            ],
        )

        self.execution_rule = events.Rule(
            self,
            "ExecutionEvents",
            description=f"Cutover {config.service_name}: release the lock of an execution that crashed",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=["Step Functions Execution Status Change"],
                detail={
                    "status": ["FAILED", "TIMED_OUT", "ABORTED"],
                    "stateMachineArn": [self.state_machine.state_machine_arn],
                },
            ),
            targets=[
                targets.LambdaFunction(
                    self.functions.execution_events,
                    retry_attempts=8,
                    max_event_age=Duration.hours(2),
                    dead_letter_queue=self.dead_letters.queue(
                        "execution-events", "an execution status change event", self.functions.execution_events
                    ),
                )
            ],
        )

    # ----------------------------------------------------------------- definition
    def _invoke(self, name: str, step: StepName, **payload: Any) -> tasks.LambdaInvoke:
        task = tasks.LambdaInvoke(
            self,
            name,
            lambda_function=self._workflow,
            payload=sfn.TaskInput.from_object(
                {"step": step.value, "execution": sfn.JsonPath.execution_id, "state": sfn.JsonPath.entire_payload}
                | payload
            ),
            payload_response_only=True,
            retry_on_service_exceptions=False,
        )
        return self._retried(task)

    @staticmethod
    def _retried(task: tasks.LambdaInvoke) -> tasks.LambdaInvoke:
        """Every invocation of the workflow function: Lambda's service errors, a timed-out
        invocation, and our own transient errors."""
        task.add_retry(errors=LAMBDA_TIMEOUT_ERRORS, interval=Duration.seconds(2), max_attempts=2, backoff_rate=2)
        task.add_retry(errors=LAMBDA_SERVICE_ERRORS, interval=Duration.seconds(2), max_attempts=6, backoff_rate=2)
        task.add_retry(
            errors=TRANSIENT_ERRORS,
            interval=Duration.seconds(1),
            max_attempts=5,
            backoff_rate=2,
            jitter_strategy=sfn.JitterType.FULL,
        )
        return task

    def _definition(self) -> sfn.IChainable:
        failed_before_start = sfn.Fail(
            self, "Failed before start", error_path="$.error.Error", cause_path="$.explained.errorMessage"
        )
        # A Lambda function error's Cause is JSON ({errorType, errorMessage, …}); a Lambda service
        # error's (Lambda.TooManyRequestsException after the retries) is plain text, and a token
        # failure may have none. States.StringToJson on plain text fails the Pass state, which
        # has no Catch: only JSON-looking causes are parsed.
        explain = (
            sfn.Choice(self, "Cause is JSON?")
            .when(
                sfn.Condition.and_(
                    sfn.Condition.is_present("$.error.Cause"),
                    sfn.Condition.is_string("$.error.Cause"),
                    sfn.Condition.string_matches("$.error.Cause", "{*}"),
                ),
                sfn.Pass(
                    self,
                    "Explain failure",
                    parameters={"error.$": "$.error", "explained.$": "States.StringToJson($.error.Cause)"},
                ).next(failed_before_start),
            )
            .when(
                sfn.Condition.and_(sfn.Condition.is_present("$.error.Cause"), sfn.Condition.is_string("$.error.Cause")),
                sfn.Pass(
                    self,
                    "Explain plain-text failure",
                    parameters={"error.$": "$.error", "explained": {"errorMessage.$": "$.error.Cause"}},
                ).next(failed_before_start),
            )
            .otherwise(
                sfn.Pass(
                    self,
                    "Explain failure without a cause",
                    parameters={"error.$": "$.error", "explained": {"errorMessage": "no cause given"}},
                ).next(failed_before_start)
            )
        )

        rollback = self._invoke("Roll back", StepName.ROLLBACK)
        rollback.add_retry(errors=["States.ALL"], interval=Duration.seconds(2), max_attempts=3, backoff_rate=2)
        # The rollback itself failed after its retries: quarantine the lock and say what fixes it.
        quarantine = self._invoke("Quarantine", StepName.QUARANTINE)
        quarantine.add_retry(errors=["States.ALL"], interval=Duration.seconds(2), max_attempts=3, backoff_rate=2)
        quarantine.add_catch(
            sfn.Fail(
                self,
                "Rollback incomplete",
                error=StateMachineError.ROLLBACK_INCOMPLETE.value,
                cause_path="$.rollback_error.Cause",
            ),
            errors=["States.ALL"],
            result_path="$.quarantine_error",
        )
        quarantine.next(
            sfn.Fail(
                self, "Rollback incomplete, quarantined", error_path="$.outcome.error", cause_path="$.outcome.cause"
            )
        )
        # Traffic first (at once), then a wait of the ALB propagation delay, then the new side
        # is scaled down: nothing is scaled down while an ALB node may still route to it.
        finish_rollback = self._invoke("Roll back: scale down new side", StepName.FINISH_ROLLBACK)
        finish_rollback.add_retry(errors=["States.ALL"], interval=Duration.seconds(2), max_attempts=3, backoff_rate=2)
        propagation = sfn.Wait(
            self,
            "Roll back: wait for propagation",
            time=sfn.WaitTime.seconds_path("$.rolling_back.wait_seconds"),
        )
        for task in (rollback, finish_rollback):
            task.add_catch(quarantine, errors=["States.ALL"], result_path="$.rollback_error")
        deployment_failed = sfn.Fail(
            self, "Deployment failed", error_path="$.outcome.error", cause_path="$.outcome.cause"
        )
        # Traffic is verified on the old side and the lock released: on_rollback hooks can only
        # be recorded, never change what the rollback did or how the execution ends.
        rollback.next(propagation).next(finish_rollback).next(
            self._hooks(
                "on_rollback",
                deployment_failed,
                deployment_failed,
                applies=sfn.Condition.is_present("$.rollback_hook_payload"),
            )
        )

        def guarded(task: tasks.LambdaInvoke) -> tasks.LambdaInvoke:
            task.add_catch(rollback, errors=["States.ALL"], result_path="$.error")
            return task

        validate = self._invoke("Validate input", StepName.VALIDATE, state=None, input=sfn.JsonPath.entire_payload)
        signal = self._invoke("Signal running deployment", StepName.SIGNAL_RUNNING_DEPLOYMENT)
        signal.add_catch(explain, errors=["States.ALL"], result_path="$.error")
        # The input may be any JSON (a list, a string): replace it with the error, then wrap.
        wrap = sfn.Pass(self, "Wrap input error", parameters={"error.$": "$"}).next(explain)
        validate.add_catch(wrap, errors=["States.ALL"], result_path="$")
        acquire = self._invoke("Acquire lock", StepName.ACQUIRE_LOCK)
        acquire.add_catch(explain, errors=["States.ALL"], result_path="$.error")

        read_live = guarded(self._invoke("Read live state", StepName.READ_LIVE_STATE))
        prepare = guarded(self._invoke("Prepare idle side", StepName.PREPARE_IDLE_SIDE))
        stable = self._poll_loop("stable", StepName.CHECK_STABLE, "stability")
        healthy = self._poll_loop("healthy", StepName.CHECK_TARGET_HEALTH, "health")
        smoke = guarded(self._invoke("Smoke tests", StepName.RUN_SMOKE_TESTS))
        shift = guarded(self._invoke("Shift weights", StepName.SHIFT_WEIGHTS))
        final_wait = guarded(self._invoke("Begin final wait", StepName.BEGIN_FINAL_WAIT))
        # Once the old side is being scaled down the deployment is committed: a failure from
        # here on must never send traffic back to a side that may have no tasks left.
        finish_incomplete = sfn.Fail(
            self,
            "Deployed, finishing failed",
            error=StateMachineError.FINISH_INCOMPLETE.value,
            cause_path="$.finish_error.Cause",
        )
        scale_down = self._committed(
            self._invoke("Scale down old side", StepName.SCALE_DOWN_OLD_SIDE), finish_incomplete
        )
        finish = self._committed(self._invoke("Finish", StepName.FINISH), finish_incomplete)
        succeeded = sfn.Succeed(self, "Deployed", output_path="$.outcome")

        after_traffic = self._hooks("after_traffic", final_wait, rollback)
        more_steps = (
            sfn.Choice(self, "All traffic shifted?")
            .when(sfn.Condition.boolean_equals("$.shifting_done", True), after_traffic)
            .otherwise(shift)
        )
        # A promote fails the bake's token as Promoted: the bake ends at once, not at its next poll.
        promoted = guarded(self._invoke("Bake: promoted", StepName.END_PROMOTED_BAKE)).next(more_steps)
        bake_this_step = (
            sfn.Choice(self, "Bake this step?")
            .when(sfn.Condition.is_present("$.bake"), self._bake("Bake", rollback, promoted).next(more_steps))
            .otherwise(more_steps)
        )
        # Built once, run at every step of the loop: the weight comes from the state.
        shift.next(self._hooks("on_step", bake_this_step, rollback))
        scale_down.next(finish).next(succeeded)
        final_wait.next(self._final_wait(rollback, guarded, scale_down))
        stable.loop_to(healthy.entry, when_phase="health")
        healthy.loop_to(smoke, when_phase="done")
        for loop in (stable, healthy):
            loop.check.add_catch(rollback, errors=["States.ALL"], result_path="$.error")
        smoke.next(self._hooks("before_traffic", shift, rollback))
        prepare.next(stable.entry)
        read_live.next(
            sfn.Choice(self, "Anything to do?")
            .when(sfn.Condition.boolean_equals("$.handled", True), finish)
            .when(sfn.Condition.string_equals("$.operation.prepare", "none"), healthy.entry)
            .otherwise(prepare)
        )
        acquire.next(read_live)
        signal.next(
            sfn.Choice(self, "Delivered?")
            .when(sfn.Condition.boolean_equals("$.handled", True), sfn.Succeed(self, "Done", output_path="$.outcome"))
            .otherwise(acquire)
        )
        signals = [sfn.Condition.string_equals("$.operation.action", a) for a in ("promote", "abort", "rollback")]
        return validate.next(
            sfn.Choice(self, "Which action?").when(sfn.Condition.or_(*signals), signal).otherwise(acquire)
        )

    @staticmethod
    def _committed(task: tasks.LambdaInvoke, incomplete: sfn.IChainable) -> tasks.LambdaInvoke:
        task.add_retry(errors=["States.ALL"], interval=Duration.seconds(2), max_attempts=4, backoff_rate=2)
        task.add_catch(incomplete, errors=["States.ALL"], result_path="$.finish_error")
        return task

    def _hooks(
        self,
        stage: str,
        then: sfn.IChainable,
        rollback: sfn.IChainable,
        *,
        applies: sfn.Condition | None = None,
    ) -> sfn.IChainable:
        """The configured user Lambdas of one stage, one after the other, for deployments only,
        unless the deployment's input switched the stage off (`hooks` in its input). An error,
        a timeout, {"status": "FAILED", "reason": …} or any answer but nothing or
        {"status": "SUCCEEDED"} rolls the deployment back; an on_rollback hook's is recorded
        instead (`_rollback_hook`)."""
        hooks = self._hooks_config
        arns: tuple[str, ...] = getattr(hooks, stage)
        if not arns:
            return then
        chain: sfn.IChainable = then
        for index, arn in reversed(list(enumerate(arns))):
            if stage == "on_rollback":
                chain = self._rollback_hook(index, arn, chain)
            else:
                chain = self._hook(stage, index, arn, chain, rollback)
        # Tested for presence first: a comparison on a missing field is a runtime error no Catch takes.
        switch = f"$.operation.hooks.{stage}"
        switched_off = sfn.Condition.and_(sfn.Condition.is_present(switch), sfn.Condition.boolean_equals(switch, False))
        deploying = sfn.Condition.string_equals("$.operation.action", "deploy")
        return (
            sfn.Choice(self, f"Run {stage} hooks?")
            .when(switched_off, then)
            .when(deploying if applies is None else sfn.Condition.and_(deploying, applies), chain)
            .otherwise(then)
        )

    def _rollback_hook(self, index: int, arn: str, then: sfn.IChainable) -> sfn.IChainable:
        """One on_rollback hook: a failure, a timeout or any answer but nothing or
        {"status": "SUCCEEDED"} is recorded (history, SNS) by `record_rollback_hook`, and the
        next hook runs."""
        stage = "on_rollback"
        name = arn.split(":function:", 1)[1]
        function = lambda_.Function.from_function_arn(self, f"{stage}-{index}", arn)
        task = tasks.LambdaInvoke(
            self,
            fit_state_name(f"Hook {stage} {index + 1}: ", name),
            lambda_function=function,
            # finish_rollback builds it: every field is there, null when a rollback lacks it. An
            # InputPath, not a Payload path: CDK renders the latter as a string `Parameters`, which
            # ASL refuses. ResultPath and Catch still write into the whole state: they combine the
            # result with the state's raw input (https://states-language.net/spec.html, ResultPath;
            # https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html).
            input_path="$.rollback_hook_payload",
            payload_response_only=True,
            result_path="$.hook_result",
            task_timeout=sfn.Timeout.duration(Duration.seconds(self._hooks_config.timeout_seconds)),
            retry_on_service_exceptions=True,
        )
        record = self._invoke(f"Record {stage} hook {index + 1} failure", StepName.RECORD_ROLLBACK_HOOK, hook=name)
        # Recording is best effort: a failure to record must not keep the next hook from running.
        record.add_catch(then, errors=["States.ALL"], result_path=sfn.JsonPath.DISCARD)
        record.next(then)
        # The Catch writes where the answer goes, so the record step reads this hook's failure only.
        task.add_catch(record, errors=["States.ALL"], result_path="$.hook_result")
        answered = sfn.Choice(self, f"Hook {stage} {index + 1} failed?").when(_hook_passed(), then).otherwise(record)
        return task.next(answered)

    def _hook(self, stage: str, index: int, arn: str, then: sfn.IChainable, rollback: sfn.IChainable) -> sfn.IChainable:
        name = arn.split(":function:", 1)[1]
        function = lambda_.Function.from_function_arn(self, f"{stage}-{index}", arn)
        task = tasks.LambdaInvoke(
            self,
            fit_state_name(f"Hook {stage} {index + 1}: ", name),
            lambda_function=function,
            payload=sfn.TaskInput.from_object(
                {
                    "hook": stage,
                    "service": self._service_name,
                    "execution": sfn.JsonPath.execution_id,
                    "image": sfn.JsonPath.string_at("$.plan.image"),
                    "new_side": sfn.JsonPath.string_at("$.new_side"),
                    "old_side": sfn.JsonPath.string_at("$.live_side"),
                    "new_task_definition": sfn.JsonPath.string_at("$.new_task_definition"),
                    "reason": sfn.JsonPath.string_at("$.plan.reason"),
                }
                | self._stage_payload(stage)
            ),
            payload_response_only=True,
            result_path="$.hook_result",
            task_timeout=sfn.Timeout.duration(Duration.seconds(self._hooks_config.timeout_seconds)),
            retry_on_service_exceptions=True,
        )
        task.add_catch(rollback, errors=["States.ALL"], result_path="$.error")

        def failed(suffix: str, **cause: str) -> sfn.IChainable:
            return sfn.Pass(
                self,
                f"Hook {stage} {index + 1} {suffix}",
                parameters={"Error": HookFailed.__name__, **cause},
                result_path="$.error",
            ).next(rollback)

        # A Pass state has no Catch: States.Format on a missing or non-string reason would end
        # the execution outside any rollback, so the reason is tested before it is formatted.
        # One Choice judges every answer, so a passing hook adds the same events at every step.
        answered = (
            sfn.Choice(self, f"Hook {stage} {index + 1} failed?")
            .when(_hook_passed(), then)
            .when(
                sfn.Condition.and_(_hook_status_is("FAILED"), _hook_gave_a_reason()),
                failed("failed", **{"Cause.$": f"States.Format('{stage} hook {name}: {{}}', $.hook_result.reason)"}),
            )
            .when(
                _hook_status_is("FAILED"),
                failed("failed, no reason", Cause=f"{stage} hook {name}: {FAILED_WITHOUT_REASON}"),
            )
            # Not echoed: an answer near the 256 KiB state limit, copied into the cause, would
            # fail this Pass state (States.DataLimitExceeded) outside any Catch.
            .otherwise(failed("answered unexpectedly", Cause=f"{stage} hook {name}: {UNEXPECTED_ANSWER}"))
        )
        return task.next(answered)

    @staticmethod
    def _stage_payload(stage: str) -> dict[str, Any]:
        """What a stage's hooks see beyond the deployment: on_step, the weight just applied."""
        if stage == "on_step":
            return {"weight": sfn.JsonPath.number_at("$.new_weight"), "step": sfn.JsonPath.number_at("$.step_index")}
        return {}

    def _final_wait(
        self,
        rollback: sfn.IChainable,
        guarded: Callable[[tasks.LambdaInvoke], tasks.LambdaInvoke],
        then: sfn.IChainable,
    ) -> sfn.Choice:
        """The final wait's bake, if it has one; one the judge paused ends on a promote too
        (its token failed as Promoted, steps/signals.py)."""
        promoted = guarded(self._invoke("Final wait: promoted", StepName.END_PROMOTED_BAKE)).next(then)
        return (
            sfn.Choice(self, "Final wait?")
            .when(sfn.Condition.is_present("$.bake"), self._bake("Final wait", rollback, promoted).next(then))
            .otherwise(then)
        )

    def _poll_loop(self, name: str, step: StepName, phase: str) -> _PollLoop:
        wait = sfn.Wait(self, f"Wait until {name}", time=sfn.WaitTime.seconds_path("$.loop.wait_seconds"))
        check = self._invoke(f"Check {name}", step)
        wait.next(check)
        return _PollLoop(self, name, wait, check, phase)

    def _bake(self, name: str, rollback: sfn.IChainable, promoted: sfn.IChainable | None = None) -> sfn.Parallel:
        """Two branches: a task token an alarm event can fail at once, and a poll loop
        that checks alarms every poll interval and completes the token when done."""
        wait_for_event = tasks.LambdaInvoke(
            self,
            f"{name}: wait for alarm event",
            lambda_function=self._workflow,
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
            payload=sfn.TaskInput.from_object(
                {
                    "step": StepName.REGISTER_BAKE_TOKEN.value,
                    "execution": sfn.JsonPath.execution_id,
                    "token": sfn.JsonPath.task_token,
                    "state": sfn.JsonPath.entire_payload,
                }
            ),
            task_timeout=sfn.Timeout.at("$.bake.token_timeout_seconds"),
            result_path=sfn.JsonPath.DISCARD,
            retry_on_service_exceptions=False,
        )
        # Not States.Timeout: the token's timeout is the backstop that ends an abandoned bake.
        self._retried(wait_for_event)
        poll_wait = sfn.Wait(self, f"{name}: poll wait", time=sfn.WaitTime.seconds_path("$.bake.wait_seconds"))
        check = self._invoke(f"{name}: check alarms", StepName.CHECK_BAKE)
        complete = self._invoke(f"{name}: complete", StepName.COMPLETE_BAKE)
        poll_wait.next(check).next(
            sfn.Choice(self, f"{name}: done?")
            .when(sfn.Condition.string_equals("$.bake.status", "done"), complete)
            .otherwise(poll_wait)
        )
        bake = sfn.Parallel(self, name, result_selector={"state.$": "$[1]"}, output_path="$.state")
        bake.branch(wait_for_event)
        bake.branch(poll_wait)
        if promoted is not None:
            bake.add_catch(promoted, errors=[Promoted.__name__], result_path="$.error")
        bake.add_catch(rollback, errors=["States.ALL"], result_path="$.error")
        return bake


class _PollLoop:
    """Wait → check → (again | next), bounded by the check's attempt counter."""

    def __init__(self, scope: Construct, name: str, wait: sfn.Wait, check: tasks.LambdaInvoke, phase: str) -> None:
        self._scope, self._name, self._phase = scope, name, phase
        self.entry, self.check = wait, check

    def loop_to(self, after: sfn.IChainable, *, when_phase: str) -> None:
        self.check.next(
            sfn.Choice(self._scope, f"{self._name.capitalize()}?")
            .when(sfn.Condition.string_equals("$.loop.phase", when_phase), after)
            .otherwise(self.entry)
        )
