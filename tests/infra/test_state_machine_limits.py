"""The synthesized state machine against the limits Step Functions enforces at creation
and at run time (ASL spec, Step Functions service quotas; docs/aws-fidelity.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from cutover.cdk.state_names import MAX_STATE_NAME_LENGTH
from cutover.config import (
    MAX_ANALYSIS_CHARACTERS,
    MAX_EXTRA_ALARM_CHARACTERS,
    MAX_EXTRA_ALARMS,
    ConfigError,
    analysis_json,
    load_config,
)
from cutover.shifter.contract import Env
from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.errors import Aborted, AlarmFired, TransientAwsError
from cutover.shifter.logic.quotas import MAX_PLAN_SECONDS, STATE_MACHINE_TIMEOUT_SECONDS, UNWAITED_SECONDS
from tests.synth import one_resource, render_join, resources_of_type, synth

STACK = "cutover-demo"
ACCOUNT_REGION = "eu-west-1:123456789012"
# Lambda allows 64-character function names and a qualifier (an alias or a version).
LONG_HOOK = f"arn:aws:lambda:{ACCOUNT_REGION}:function:{'m' * 64}:live-release-candidate"


def definition(**context: Any) -> dict[str, Any]:
    machine = one_resource(synth(**context)[STACK], "AWS::StepFunctions::StateMachine")["Properties"]
    parsed: dict[str, Any] = json.loads(render_join(machine["DefinitionString"]))
    return parsed


def state_names(states: dict[str, Any]) -> Iterator[str]:
    for name, state in states.items():
        yield name
        for branch in state.get("Branches", []):
            yield from state_names(branch["States"])
        if "Iterator" in state or "ItemProcessor" in state:
            yield from state_names((state.get("ItemProcessor") or state["Iterator"])["States"])


def test_hook_state_names_fit_80_characters_for_the_longest_function_names() -> None:
    hooks = {"before_traffic": [LONG_HOOK] * 10, "after_traffic": [LONG_HOOK]}
    names = list(state_names(definition(hooks=hooks)["States"]))
    too_long = [name for name in names if len(name) > MAX_STATE_NAME_LENGTH]
    assert not too_long, too_long
    hook_tasks = [name for name in names if name.startswith("Hook before_traffic") and ":" in name]
    assert len(hook_tasks) == len(set(hook_tasks)) == 10  # still one distinct state per hook
    assert "Hook before_traffic 10: mmmm" in " ".join(hook_tasks)


def test_on_rollback_states_fit_80_characters_and_run_between_the_rollback_and_its_failure() -> None:
    states = definition(hooks={"on_rollback": [LONG_HOOK] * 10})["States"]
    names = list(state_names(states))
    assert not [name for name in names if len(name) > MAX_STATE_NAME_LENGTH]
    hook_tasks = [n for n in names if n.startswith("Hook on_rollback") and ":" in n and states[n]["Type"] == "Task"]
    assert len(set(hook_tasks)) == 10
    assert states["Roll back: scale down new side"]["Next"] == "Run on_rollback hooks?"
    # Every way out of the hooks ends in the rollback's own Fail state, with its error and cause.
    ends = {n for n, s in states.items() if s["Type"] == "Fail" and n in _reachable(states, "Run on_rollback hooks?")}
    assert ends == {"Deployment failed"}
    assert states["Deployment failed"]["CausePath"] == "$.outcome.cause"


def test_on_step_states_fit_80_characters_and_run_after_each_shift() -> None:
    states = definition(hooks={"on_step": [LONG_HOOK] * 10})["States"]
    names = list(state_names(states))
    too_long = [name for name in names if len(name) > MAX_STATE_NAME_LENGTH]
    assert not too_long, too_long
    hook_tasks = [n for n in names if n.startswith("Hook on_step") and ":" in n and states[n]["Type"] == "Task"]
    assert len(hook_tasks) == len(set(hook_tasks)) == 10  # still one distinct state per hook
    assert "Hook on_step 10: mmmm" in " ".join(hook_tasks)
    assert states["Shift weights"]["Next"] == "Run on_step hooks?"


def _reachable(states: dict[str, Any], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        state = states[name]
        todo += [state["Next"]] if "Next" in state else []
        todo += [choice["Next"] for choice in state.get("Choices", [])]
        todo += [state["Default"]] if "Default" in state else []
        todo += [catch["Next"] for catch in state.get("Catch", [])]
    return seen


def workflow_tasks(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in states.items():
        if state["Type"] == "Task" and "Hook " not in name:
            yield name, state
        for branch in state.get("Branches", []):
            yield from workflow_tasks(branch["States"])


def test_every_workflow_invocation_retries_service_errors_and_timeouts_including_the_token_registration() -> None:
    tasks = dict(workflow_tasks(definition()["States"]))
    token_tasks = [name for name, task in tasks.items() if task["Resource"].endswith("waitForTaskToken")]
    assert sorted(token_tasks) == ["Bake: wait for alarm event", "Final wait: wait for alarm event"]
    for name, task in tasks.items():
        retried = {error for retrier in task.get("Retry", []) for error in retrier["ErrorEquals"]}
        for error in ("Sandbox.Timedout", "Lambda.TooManyRequestsException", "Lambda.ServiceException"):
            assert error in retried, f"{name}: {error} is not retried"
        assert TransientAwsError.__name__ in retried, name
    for name in token_tasks:
        retried = {error for retrier in tasks[name]["Retry"] for error in retrier["ErrorEquals"]}
        assert not retried & {"States.Timeout", "States.ALL", AlarmFired.__name__, Aborted.__name__}, name


def test_the_state_machine_timeout_covers_the_longest_plan_validation_accepts() -> None:
    timeout = definition()["TimeoutSeconds"]
    assert timeout == STATE_MACHINE_TIMEOUT_SECONDS >= MAX_PLAN_SECONDS + UNWAITED_SECONDS
    # The longest plan the issue asks for: a 7-day pause and a 48 h termination wait.
    assert timeout > 7 * 86_400 + 2 * 86_400


# The longest an ARN or a name in the environment resolves to (a listener ARN in the longest
# region name with a 32-character load balancer name is about 140 characters).
RESOLVED_TOKEN = "x" * 160


def environment_bytes(variables: dict[str, Any]) -> int:
    return sum(
        len(key) + len(render_join(value).replace("<token>", RESOLVED_TOKEN)) for key, value in variables.items()
    )


def test_the_shifter_environment_stays_under_lambdas_4_kb_with_the_most_alarms_accepted() -> None:
    names = [
        f"{index}-" + "a" * (MAX_EXTRA_ALARM_CHARACTERS // MAX_EXTRA_ALARMS - 2) for index in range(MAX_EXTRA_ALARMS)
    ]
    # And the largest judge the stack's context may set (cutover/config.py, MAX_ANALYSIS_CHARACTERS).
    user = {"namespace": "App", "metric_name": "Orders", "dimensions": {"Side": "{side}" + "s" * 26}}
    analysis = {"mode": "on", "user_metrics": [{"name": "checkout", "query": user}]}
    written = len(analysis_json(JudgeConfig.model_validate(analysis)))
    assert MAX_ANALYSIS_CHARACTERS - 10 < written <= MAX_ANALYSIS_CHARACTERS
    context = {"service_name": "a" * 26, "alarms": {"extra_alarm_names": names}, "analysis": analysis}
    functions = resources_of_type(
        synth(**context)[f"cutover-{context['service_name']}"], "AWS::Lambda::Function"
    ).values()
    sizes = [
        environment_bytes(f["Properties"]["Environment"]["Variables"])
        for f in functions
        if "Environment" in f["Properties"]
    ]
    assert sizes and max(sizes) < 4_096, sizes
    # The stack's judge reaches the Lambda as the context set it (validated again there).
    defaults = [
        json.loads(variables[Env.DEFAULTS])
        for f in functions
        if Env.DEFAULTS in (variables := f["Properties"].get("Environment", {}).get("Variables", {}))
    ]
    assert len(defaults) == 3  # the workflow, alarm-event and execution-event functions
    assert {json.dumps(d["analysis"], sort_keys=True) for d in defaults} == {json.dumps(analysis, sort_keys=True)}


def test_a_stack_judge_larger_than_the_environment_holds_is_refused() -> None:
    metrics = [
        {"name": f"m{index}", "query": {"namespace": "App", "metric_name": "M" * 20, "dimensions": {"Side": "{side}"}}}
        for index in range(3)
    ]
    with pytest.raises(ConfigError, match=r"invalid context key 'analysis': .* deployment input's `analysis`"):
        load_config({"analysis": {"mode": "on", "user_metrics": metrics}})


def test_more_alarms_than_the_environment_holds_are_refused() -> None:
    with pytest.raises(ConfigError, match="at most 10 alarms of 1,024 characters"):
        load_config({"alarms": {"extra_alarm_names": ["a" * 200] * 6}})
