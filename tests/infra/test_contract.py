"""The synthesized stack against the contract its other side reads (shifter/contract.py): the
steps the state machine asks for exist, the errors it catches are raised, the environment the
stack writes is the one the Lambda parses and the one the example service's containers read, and
the outputs are the ones the CLI reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from cutover.shifter.contract import (
    SIDES,
    ContainerEnv,
    Env,
    Output,
    SideOutput,
    StateMachineError,
    StepName,
    side_output,
)
from cutover.shifter.environment import ShifterEnvironment
from cutover.shifter.handlers.workflow import SPECIAL_STEPS, STEPS
from cutover.shifter.logic import errors
from tests.synth import ROOT, one_resource, render_join, resources_of_type, synth

STACK = "cutover-demo"
ROLLBACK_HOOK = "arn:aws:lambda:eu-west-1:123456789012:function:feature-flags-off"
# What Step Functions and Lambda name themselves (ASL "Error names"; "Handle Lambda service
# exceptions", https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
AWS_ERROR_PREFIXES = ("States.", "Lambda.", "Sandbox.")
CUTOVER_ERRORS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.CutoverError) and value is not errors.CutoverError
}


def definition(**context: Any) -> dict[str, Any]:
    machine = one_resource(synth(**context)[STACK], "AWS::StepFunctions::StateMachine")["Properties"]
    parsed: dict[str, Any] = json.loads(render_join(machine["DefinitionString"]))
    return parsed


def states(machine: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in machine["States"].values():
        yield state
        for branch in state.get("Branches", []):
            yield from states(branch)


def invoked_steps(machine: dict[str, Any]) -> set[str]:
    """The `step` of every workflow-function task: its Parameters are the payload (CDK's
    payload_response_only) or hold it (a task-token invocation)."""
    steps = set()
    for state in states(machine):
        parameters = state.get("Parameters", {}) if state["Type"] == "Task" else {}
        payload = parameters.get("Payload", parameters)
        if "step" in payload:
            steps.add(payload["step"])
    return steps


def caught_errors(machine: dict[str, Any]) -> set[str]:
    return {
        error
        for state in states(machine)
        for handler in (*state.get("Retry", []), *state.get("Catch", []))
        for error in handler["ErrorEquals"]
    }


def thrown_errors(machine: dict[str, Any]) -> set[str]:
    """What the state machine's own states end with or hand a rollback (Fail, and Pass states
    that write an error as a failed hook's)."""
    thrown = set()
    for state in states(machine):
        if state["Type"] == "Fail" and "Error" in state:
            thrown.add(state["Error"])
        if state["Type"] == "Pass" and "Error" in state.get("Parameters", {}):
            thrown.add(state["Parameters"]["Error"])
    return thrown


def raised_by_our_code(name: str) -> bool:
    """Raised (`Name(`), or a task token failed with its name (`Name.__name__`), somewhere in the
    shifter besides its definition."""
    sources = (p.read_text() for p in (ROOT / "cutover" / "shifter").rglob("*.py") if p.name != "errors.py")
    pattern = re.compile(rf"\b{name}(\(|\.__name__)")
    return any(pattern.search(source) for source in sources)


def test_every_step_the_state_machine_invokes_is_a_step_the_workflow_function_handles() -> None:
    handled = {*STEPS, *SPECIAL_STEPS}
    invoked = invoked_steps(definition()) | invoked_steps(definition(hooks={"on_rollback": [ROLLBACK_HOOK]}))
    assert invoked <= handled, invoked - handled
    # And no handler is left that nothing invokes: a step renamed on one side only shows here.
    assert invoked == set(StepName), set(StepName) - invoked


def test_every_error_the_state_machine_catches_is_aws_s_or_one_our_code_raises() -> None:
    caught = caught_errors(definition())
    ours = {error for error in caught if not error.startswith(AWS_ERROR_PREFIXES)}
    assert ours, "the definition catches none of Cutover's own errors"
    assert ours <= CUTOVER_ERRORS, ours - CUTOVER_ERRORS
    assert all(raised_by_our_code(name) for name in ours), [n for n in ours if not raised_by_our_code(n)]


def test_every_error_the_state_machine_throws_is_named_in_the_contract_or_by_a_class() -> None:
    thrown = thrown_errors(definition(hooks={"on_rollback": [ROLLBACK_HOOK], "before_traffic": [ROLLBACK_HOOK]}))
    assert thrown >= {StateMachineError.ROLLBACK_INCOMPLETE, StateMachineError.FINISH_INCOMPLETE, "HookFailed"}
    assert thrown <= CUTOVER_ERRORS | set(StateMachineError), thrown - CUTOVER_ERRORS - set(StateMachineError)


def shifter_functions(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        function["Properties"]
        for function in resources_of_type(template, "AWS::Lambda::Function").values()
        if function["Properties"].get("Handler", "").startswith("cutover.shifter.")
    ]


def test_the_environment_the_stack_writes_parses_with_the_lambdas_own_model() -> None:
    for context in ({}, {"local": True}):
        functions = shifter_functions(synth(**context)[STACK])
        assert len(functions) == 3, context  # workflow, alarm events, execution events
        for function in functions:
            written = function["Environment"]["Variables"]
            # Deploy-time values (ARNs, names) are tokens here: any string stands for them.
            rendered = {name: render_join(value).replace("<token>", "token") for name, value in written.items()}
            environment = ShifterEnvironment.model_validate({k: v for k, v in rendered.items() if k in set(Env)})
            assert set(written) == {*Env, "POWERTOOLS_METRICS_NAMESPACE"}, set(written) ^ set(Env)
            assert environment.service_name == "demo"
            assert set(environment.services) == set(environment.target_groups) == set(SIDES)
            assert environment.defaults.health_check_path.startswith("/")


def test_the_stack_has_exactly_the_outputs_the_cli_and_the_harness_read() -> None:
    outputs = set(synth()[STACK]["Outputs"])
    expected = {*Output} | {side_output(side, key) for side in SIDES for key in SideOutput}
    assert outputs == expected, outputs ^ expected


def container_environments(template: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Side → the environment its task definition gives its one container."""
    found = {}
    for task_definition in resources_of_type(template, "AWS::ECS::TaskDefinition").values():
        properties = task_definition["Properties"]
        (container,) = properties["ContainerDefinitions"]
        side = properties["Family"].rsplit("-", 1)[1]  # the family is <service>-<side>
        found[side] = {variable["Name"]: variable["Value"] for variable in container["Environment"]}
    assert set(found) == set(SIDES), found
    return found


class ReadNames(dict[str, str]):
    """An environment that records the names read from it."""

    def __init__(self, environment: dict[str, str]) -> None:
        super().__init__(environment)
        self.read: set[str] = set()

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        return super().get(name, default)


def test_each_sides_container_is_told_its_side_and_service_under_the_names_the_example_service_reads() -> None:
    from cutover_service.contract import SIDE_VARIABLE
    from cutover_service.settings import Settings

    # The service package imports nothing of Cutover's: its own name for the side must be ours.
    assert ContainerEnv(SIDE_VARIABLE) is ContainerEnv.SIDE
    for context in ({}, {"image": "asset"}):
        for side, written in container_environments(synth(**context)[STACK]).items():
            assert (written[ContainerEnv.SIDE], written[ContainerEnv.SERVICE]) == (side, "demo")
            if not context:  # a public image: the stack adds nothing but the contract's names
                assert set(written) == set(ContainerEnv)
            environment = ReadNames(written)
            assert Settings.from_env(environment).side == side  # what the example service makes of it
            # Every name written is one the example service reads, but the service's name: that
            # one is for a user's app (README, "A metric of your own").
            assert set(written) - {ContainerEnv.SERVICE} <= environment.read, context
