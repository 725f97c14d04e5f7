"""The traffic shifter's infrastructure: least privilege, observability, what it is wired to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cutover.cdk.iam_exceptions import UNSCOPABLE_ACTIONS
from cutover.cdk.lambda_asset import PACKAGE, staged_lambda_code
from cutover.cdk.shifter_functions import POWERTOOLS_LAYER
from tests.synth import ROOT, one_resource, resources_of_type, synth, synth_assembly

STACK = "cutover-demo"
# Lambda sends a failed asynchronous invocation to the function's on-failure destination (its
# dead-letter queue, cutover/cdk/event_dead_letters.py) with the function's role.
DEAD_LETTER_DELIVERY = {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}


def template() -> dict[str, Any]:
    return synth()[STACK]


def role_statements(template: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def function_role(template: dict[str, Any], handler: str) -> str:
    for function in resources_of_type(template, "AWS::Lambda::Function").values():
        if function["Properties"].get("Handler") == handler:
            role: str = function["Properties"]["Role"]["Fn::GetAtt"][0]
            return role
    raise AssertionError(f"no function with handler {handler}")


def actions(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else list(value)


def test_only_unscopable_actions_are_granted_on_any_resource() -> None:
    t = template()
    for policy in resources_of_type(t, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Resource"] == "*":
                assert set(actions(statement)) <= set(UNSCOPABLE_ACTIONS), actions(statement)


def test_workflow_may_change_only_this_listener_and_these_services() -> None:
    t = template()
    statements = role_statements(t, function_role(t, "cutover.shifter.handlers.workflow.handler"))
    by_action = {action: statement["Resource"] for statement in statements for action in actions(statement)}
    listener_id = next(iter(resources_of_type(t, "AWS::ElasticLoadBalancingV2::Listener")))
    assert by_action["elasticloadbalancing:ModifyListener"] == {"Ref": listener_id}
    services = {k for k in resources_of_type(t, "AWS::ECS::Service")}
    assert {ref["Ref"] for ref in by_action["ecs:UpdateService"]} == services
    assert "ecs:DeleteService" not in by_action and "elasticloadbalancing:ModifyRule" not in by_action
    pass_role = next(s for s in statements if "iam:PassRole" in actions(s))
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    assert len(pass_role["Resource"]) == 2
    parameters = json.dumps(by_action["ssm:PutParameter"])
    assert parameters.count("parameter/cutover/demo/live/") == 12 and "*" not in parameters
    table_id = next(iter(resources_of_type(t, "AWS::DynamoDB::Table")))
    assert by_action["dynamodb:PutItem"] == {"Fn::GetAtt": [table_id, "Arn"]}


def test_only_the_workflow_function_may_read_metrics_for_the_judge() -> None:
    """cloudwatch:GetMetricData takes no resource (Service Authorization Reference): "*", and on
    the role of the function that runs check_bake only."""
    t = template()
    holders = {
        handler
        for handler in (
            "cutover.shifter.handlers.workflow.handler",
            "cutover.shifter.handlers.alarm_event.handler",
            "cutover.shifter.handlers.execution_event.handler",
        )
        for statement in role_statements(t, function_role(t, handler))
        if "cloudwatch:GetMetricData" in actions(statement) and statement["Resource"] == "*"
    }
    assert holders == {"cutover.shifter.handlers.workflow.handler"}


def test_alarm_listener_can_only_read_the_lock_and_fail_a_task() -> None:
    t = template()
    granted = {
        a
        for s in role_statements(t, function_role(t, "cutover.shifter.handlers.alarm_event.handler"))
        for a in actions(s)
    }
    assert granted == {
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "states:SendTaskFailure",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        *DEAD_LETTER_DELIVERY,
    }


def test_state_machine_logs_everything_and_is_traced() -> None:
    machine = one_resource(template(), "AWS::StepFunctions::StateMachine")["Properties"]
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is True


def test_functions_are_traced_and_use_the_powertools_layer() -> None:
    functions = [
        function["Properties"]
        for function in resources_of_type(template(), "AWS::Lambda::Function").values()
        if function["Properties"].get("Handler", "").startswith("cutover.shifter.")
    ]
    assert len(functions) >= 3  # workflow, alarm events, execution events (and the capacity seed)
    for properties in functions:
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["Layers"] == [POWERTOOLS_LAYER.format(region="eu-west-1")]
        assert properties["Environment"]["Variables"]["CUTOVER_SERVICE"] == "demo"


def test_alarm_events_of_both_sides_reach_the_alarm_listener() -> None:
    t = template()
    (rule,) = [
        r["Properties"]
        for r in resources_of_type(t, "AWS::Events::Rule").values()
        if r["Properties"]["EventPattern"]["source"] == ["aws.cloudwatch"]
    ]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.cloudwatch"] and pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    assert pattern["detail"]["state"] == {"value": ["ALARM"]}
    assert len(pattern["detail"]["alarmName"]) == 6
    (target,) = rule["Targets"]
    assert target["Arn"]["Fn::GetAtt"][0] == next(
        k
        for k, v in resources_of_type(t, "AWS::Lambda::Function").items()
        if v["Properties"].get("Handler") == "cutover.shifter.handlers.alarm_event.handler"
    )


def test_the_asset_holds_exactly_the_shifter_code_the_tests_run() -> None:
    assembly = synth_assembly()
    assets = json.loads((assembly / f"{STACK}.assets.json").read_text())["files"]
    handler_asset = next(
        Path(assembly / a["source"]["path"])
        for a in assets.values()
        if (assembly / a["source"]["path"] / "cutover" / "shifter" / "handlers" / "workflow.py").exists()
    )

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    ours = {name: code for name, code in files(PACKAGE).items() if "__pycache__" not in name}
    shipped = {name: code for name, code in ours.items() if name == "__init__.py" or name.startswith("shifter/")}
    # The dependency-free package root and the shifter, nothing else (no CLI, no CDK code, no harness).
    assert files(handler_asset) == {f"cutover/{name}": code for name, code in shipped.items()}
    assert PACKAGE == ROOT / "cutover"  # the tests run this checkout's code


def test_the_asset_is_staged_from_the_package_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = staged_lambda_code()
    monkeypatch.chdir(tmp_path)
    assert staged_lambda_code() == staged  # named by content: the same code, the same directory
    assert not staged.is_relative_to(ROOT)
    assert (staged / "cutover" / "shifter" / "handlers" / "workflow.py").read_bytes() == (
        PACKAGE / "shifter" / "handlers" / "workflow.py"
    ).read_bytes()


def test_the_state_machine_may_invoke_exactly_the_configured_hooks() -> None:
    before = "arn:aws:lambda:eu-west-1:123456789012:function:migrations-check"
    after = "arn:aws:lambda:eu-west-1:123456789012:function:verify"
    t = synth(hooks={"before_traffic": [before], "after_traffic": [after], "timeout_seconds": 30})[STACK]
    machine = next(iter(resources_of_type(t, "AWS::StepFunctions::StateMachine").values()))
    statements = role_statements(t, machine["Properties"]["RoleArn"]["Fn::GetAtt"][0])
    invoked = {
        json.dumps(resource) if not isinstance(resource, str) else resource
        for s in statements
        if "lambda:InvokeFunction" in actions(s)
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    }
    hook_resources = {r for r in invoked if ":function:" in r}
    assert hook_resources == {before, f"{before}:*", after, f"{after}:*"}
    definition = json.dumps(machine["Properties"]["DefinitionString"])
    assert '\\"TimeoutSeconds\\":30' in definition


def test_the_state_machine_may_invoke_exactly_the_configured_on_rollback_hooks() -> None:
    flags = "arn:aws:lambda:eu-west-1:123456789012:function:feature-flags-off"
    audit = "arn:aws:lambda:eu-west-1:123456789012:function:audit:live"
    t = synth(hooks={"on_rollback": [flags, audit]})[STACK]
    machine = next(iter(resources_of_type(t, "AWS::StepFunctions::StateMachine").values()))
    statements = role_statements(t, machine["Properties"]["RoleArn"]["Fn::GetAtt"][0])
    invoked = {
        resource
        for s in statements
        if "lambda:InvokeFunction" in actions(s)
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
        if isinstance(resource, str) and ":function:" in resource
    }
    assert invoked == {flags, f"{flags}:*", audit, f"{audit}:*"}
    # The shifter counts them in the history estimate of every deployment.
    workflow = next(
        v
        for v in resources_of_type(t, "AWS::Lambda::Function").values()
        if v["Properties"].get("Handler") == "cutover.shifter.handlers.workflow.handler"
    )
    assert workflow["Properties"]["Environment"]["Variables"]["CUTOVER_ON_ROLLBACK_HOOKS"] == "2"


def test_the_state_machine_may_invoke_exactly_the_configured_on_step_hooks_and_its_own_function() -> None:
    order = "arn:aws:lambda:eu-west-1:123456789012:function:synthetic-order"
    metric = "arn:aws:lambda:eu-west-1:123456789012:function:business-metric:live"
    t = synth(hooks={"on_step": [order, metric]})[STACK]
    machine = next(iter(resources_of_type(t, "AWS::StepFunctions::StateMachine").values()))
    statements = role_statements(t, machine["Properties"]["RoleArn"]["Fn::GetAtt"][0])
    resources = [
        resource
        for s in statements
        if "lambda:InvokeFunction" in actions(s)
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert {r for r in resources if isinstance(r, str)} == {order, f"{order}:*", metric, f"{metric}:*"}
    # Everything else it may invoke is the shifter's own workflow function (and its versions).
    workflow_id = next(
        logical_id
        for logical_id, v in resources_of_type(t, "AWS::Lambda::Function").items()
        if v["Properties"].get("Handler") == "cutover.shifter.handlers.workflow.handler"
    )
    others = [r for r in resources if not isinstance(r, str)]
    assert others and all(f'"{workflow_id}"' in json.dumps(r) for r in others), others
    workflow = resources_of_type(t, "AWS::Lambda::Function")[workflow_id]
    assert workflow["Properties"]["Environment"]["Variables"]["CUTOVER_ON_STEP_HOOKS"] == "2"


def test_hooks_must_be_lambda_arns() -> None:
    from cutover.config import ConfigError, load_config

    try:
        load_config({"hooks": '{"before_traffic": ["my-function"]}'})
    except ConfigError as error:
        assert "invalid context key 'hooks.before_traffic'" in str(error)
    else:
        raise AssertionError("a hook that is not a Lambda ARN must fail synth")


def test_a_crashed_executions_lock_is_released_by_a_narrowly_allowed_function() -> None:
    t = template()
    rules = [r["Properties"] for r in resources_of_type(t, "AWS::Events::Rule").values()]
    (rule,) = [r for r in rules if r["EventPattern"]["source"] == ["aws.states"]]
    assert rule["EventPattern"]["detail"]["status"] == ["FAILED", "TIMED_OUT", "ABORTED"]
    machine_id = next(iter(resources_of_type(t, "AWS::StepFunctions::StateMachine")))
    assert rule["EventPattern"]["detail"]["stateMachineArn"] == [{"Ref": machine_id}]
    role = function_role(t, "cutover.shifter.handlers.execution_event.handler")
    granted = {a for s in role_statements(t, role) for a in actions(s)}
    assert granted == {
        "dynamodb:GetItem",
        "dynamodb:DeleteItem",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        *DEAD_LETTER_DELIVERY,
    }
