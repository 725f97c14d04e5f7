"""A routine `cdk deploy` never moves traffic, reverts an image or scales a live side.

What is proved: after a completed deployment (green live at 100 % on a new revision and
image, blue at 0 tasks) and in the middle of one (first bake, 90 / 10), applying a
template that changes unrelated things on the production listener, on both ECS services
and on both task definitions leaves the listener weights, each service's task definition
(revision and image) and desired count, and the live-state parameters exactly as they were.

How, and why by hand: moto's update_stack resolves no dynamic reference, does not re-read
SSM parameters and loses a task definition's image, so it cannot show what CloudFormation
would do. The test therefore plays CloudFormation's part (tests/reliability/change_set.py):

1. a real deployment runs on local AWS, so the live state differs from the seeds;
2. the NORMAL template is synthesized twice: the baseline, and one with unrelated changes:
   real context changes where one exists (`deregistration_delay_seconds`,
   `health_check_interval_seconds` and `stickiness` change both target groups and the
   listener's forward action; `environment` and the drain timing change both task
   definitions' containers). No routine context key changes an ECS service's own
   properties (container_port and existing_vpc do, but replace target groups or the
   network), so for the services the changed template is a copy edited the way an
   unrelated CDK change would edit it: HealthCheckGracePeriodSeconds 60 → 120,
   DeploymentConfiguration.MaximumPercent 200 → 150, a tag;
3. the change set is what CloudFormation updates: resources whose properties differ, the
   task definitions replaced (every property requires replacement), and the resources that
   refer to a replaced one (the shifter's functions, the task-definition seeds). It must
   include the listener, both services and both task definitions, or the test is vacuous;
4. each updated resource's properties are resolved as CloudFormation sends them: every
   `{{resolve:ssm:<Ref seed>}}` to the parameter's CURRENT value in local SSM (the seed's
   Ref is its physical id, the parameter name of its Create call), Refs and GetAtts to the
   local stack's physical values by logical id;
5. what would be sent is applied to local AWS: RegisterTaskDefinition for the replaced task
   definitions first (the new template revisions), then ModifyListener, UpdateService,
   ModifyTargetGroup(Attributes), UpdateFunctionConfiguration (the variables whose value
   changes; the others resolve to what the function already has); a seed's Update request
   makes no SDK call, since it declares no `Update` call;
6. the live state is compared before and after. As a control that the check can fail, the
   same changed template with the dynamic references replaced by the seed values (a
   template declaring Weight 100 / 0, DesiredCount 2 / 0 and the template task definition)
   is resolved too: it would have moved traffic, scaled the live side to 0 and reverted its
   image; after the completed deployment it is also applied, and it does.

Outside the routine case, the last test enables `autoscaling` on an existing stack whose
live side is green: the bounds' seeds read each side's recorded count when they are created
(cutover/cdk/capacity_seeds.py), so green keeps its tasks and idle blue stays at 0.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from cutover.cdk.capacity_seeds import RESOURCE_TYPE as CAPACITY_SEED_TYPE
from cutover.local.lambda_runtime import LambdaContext
from cutover.local.runtime import LocalCutover
from cutover.shifter.contract import SIDES
from cutover.shifter.handlers import capacity_seed
from tests.infra.test_topology import live_reference, logical_id_of, service_id, target_group_id
from tests.reliability.change_set import (
    SEED_TYPE,
    LocalResolver,
    Update,
    added_and_removed,
    change_set,
    declared_instead,
    listener_actions,
    modify_listener,
    modify_target_group,
    references,
    register_task_definition,
    update_function_environment,
    update_service,
)
from tests.synth import resources_of_type, seed_call, synth
from tests.workflow.conftest import wait_for_lock

STACK = "cutover-demo"
IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
TEMPLATE_IMAGE = "public.ecr.aws/nginx/nginx:1.27-alpine"
UNRELATED_CONTEXT: dict[str, Any] = {
    "deregistration_delay_seconds": 60,
    "health_check_interval_seconds": 15,
    "stickiness": True,
    "environment": {"LOG_LEVEL": "debug"},
}
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
SERVICE = "AWS::ECS::Service"


def baseline_template() -> dict[str, Any]:
    return synth()[STACK]


def changed_template() -> dict[str, Any]:
    """Real context changes, plus (no context key touches a service) an edited copy."""
    template = copy.deepcopy(synth(**UNRELATED_CONTEXT)[STACK])
    for service in resources_of_type(template, "AWS::ECS::Service").values():
        properties = service["Properties"]
        properties["HealthCheckGracePeriodSeconds"] = 120
        properties["DeploymentConfiguration"]["MaximumPercent"] = 150
        properties["Tags"] = [{"Key": "cost-centre", "Value": "platform"}]
    return template


def task_definition_id(template: dict[str, Any], side: str) -> str:
    return logical_id_of(template, "AWS::ECS::TaskDefinition", Family=f"demo-{side}")


def listener_id(template: dict[str, Any]) -> str:
    (logical_id,) = resources_of_type(template, LISTENER)
    return logical_id


@dataclass
class Applied:
    """What CloudFormation would have sent, by logical id, and what a naive template would."""

    updates: dict[str, Update]
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)
    naive: dict[str, dict[str, Any]] = field(default_factory=dict)
    no_call: set[str] = field(default_factory=set)
    ssm_reads: set[str] = field(default_factory=set)
    physical: dict[str, str] = field(default_factory=dict)  # after the update, by logical id

    def weights(self, template: dict[str, Any], properties: dict[str, Any]) -> dict[str, int]:
        (forward,) = [a["ForwardConfig"] for a in listener_actions(properties) if a["Type"] == "forward"]
        sides = {self.physical[target_group_id(template, side)]: side for side in SIDES}
        return {sides[group["TargetGroupArn"]]: group["Weight"] for group in forward["TargetGroups"]}


def apply_like_cloudformation(cutover: LocalCutover, baseline: dict[str, Any], changed: dict[str, Any]) -> Applied:
    applied = Applied(change_set(baseline, changed))
    resolver = LocalResolver(cutover, changed)
    resources = changed["Resources"]
    replaced = {u.logical_id for u in applied.updates.values() if u.replacement}
    # Replacements first: CloudFormation creates the new resource, then updates dependents.
    for logical_id in sorted(replaced):
        properties = resolver.resolve(resources[logical_id]["Properties"])
        resolver.replaced(logical_id, register_task_definition(cutover, properties))
        applied.sent[logical_id] = properties
    for logical_id, update in sorted(applied.updates.items()):
        template_properties = resources[logical_id]["Properties"]
        if update.replacement:
            continue
        if update.resource_type == SEED_TYPE:
            # The provider runs ResourceProperties[RequestType]; no "Update": no call, same physical id.
            assert "Update" not in template_properties, f"{logical_id} would overwrite the live state"
            applied.no_call.add(logical_id)
        elif update.resource_type == "AWS::Lambda::Function":
            sent = function_variables(baseline["Resources"][logical_id]["Properties"], template_properties, replaced)
            applied.sent[logical_id] = {name: resolver.resolve(value) for name, value in sent.items()}
            update_function_environment(cutover, resolver.physical[logical_id], applied.sent[logical_id])
        elif update.resource_type in APPLY:
            applied.sent[logical_id] = resolver.resolve(template_properties)
            APPLY[update.resource_type](cutover, resolver.physical[logical_id], applied.sent[logical_id])
            if update.resource_type in {LISTENER, SERVICE}:
                applied.naive[logical_id] = resolver.resolve(declared_instead(changed, template_properties))
        else:
            raise AssertionError(f"the change set updates {update.resource_type} {logical_id}: not modelled here")
    applied.ssm_reads = set(resolver.ssm_reads)
    applied.physical = dict(resolver.physical)
    return applied


APPLY = {
    LISTENER: modify_listener,
    SERVICE: update_service,
    "AWS::ElasticLoadBalancingV2::TargetGroup": modify_target_group,
}


def function_variables(before: dict[str, Any], after: dict[str, Any], replaced: set[str]) -> dict[str, Any]:
    """A shifter function's update: only its environment changes (else this model is too
    small); the variables whose value changes are sent, the others resolve to what they are."""
    assert {key for key in after if before.get(key) != after[key]} <= {"Environment"}
    old, new = before["Environment"]["Variables"], after["Environment"]["Variables"]
    return {name: value for name, value in new.items() if old.get(name) != value or replaced & set(references(value))}


def snapshot(cutover: LocalCutover) -> dict[str, Any]:
    return {
        "weights": cutover.weights(),
        **{side: cutover.service(side) for side in SIDES},
        "live": cutover.live_state(),
    }


def assert_change_set_is_not_vacuous(applied: Applied, baseline: dict[str, Any], changed: dict[str, Any]) -> None:
    """A template that re-applies unchanged is no test."""
    assert added_and_removed(baseline, changed) == (set(), set())
    expected = {listener_id(changed)} | {
        logical_id(changed, side) for side in SIDES for logical_id in (service_id, task_definition_id)
    }
    assert expected <= set(applied.updates), sorted(expected - set(applied.updates))
    for side in SIDES:
        assert applied.updates[task_definition_id(changed, side)].replacement
    # Every live-state reader was resolved from SSM, not from a template value.
    readers = {
        f"/cutover/demo/live/{side}/{key}" for side in SIDES for key in ("weight", "task-definition", "desired-count")
    }
    assert readers <= applied.ssm_reads
    # The task-definition seeds refer to the replaced task definitions: updated, but no call.
    seeds = {
        live_reference(changed["Resources"][service_id(changed, side)]["Properties"]["TaskDefinition"])
        for side in SIDES
    }
    assert applied.no_call == seeds


def assert_sent_the_live_state(applied: Applied, changed: dict[str, Any], live: dict[str, Any]) -> None:
    assert applied.weights(changed, applied.sent[listener_id(changed)]) == live["weights"]
    for side in SIDES:
        service = applied.sent[service_id(changed, side)]
        assert service["TaskDefinition"] == live[side]["task_definition"]
        assert int(service["DesiredCount"]) == live[side]["desired"]


def assert_naive_template_would_have_moved_things(
    applied: Applied, changed: dict[str, Any], live: dict[str, Any]
) -> None:
    """The control: the same update, sent from a template that declares the seeds."""
    assert applied.weights(changed, applied.naive[listener_id(changed)]) == {"blue": 100, "green": 0} != live["weights"]
    naive = {side: applied.naive[service_id(changed, side)] for side in SIDES}
    assert {side: int(naive[side]["DesiredCount"]) for side in SIDES} == {"blue": 2, "green": 0}
    assert live["green"]["desired"] > 0  # the live (or canary) side would be scaled to 0
    for side in SIDES:
        template_revision = applied.physical[task_definition_id(changed, side)]
        assert naive[side]["TaskDefinition"] == template_revision != live[side]["task_definition"]


def assert_template_revisions_serve_nobody(cutover: LocalCutover, applied: Applied, changed: dict[str, Any]) -> None:
    """The config change registered new template revisions: the base of the NEXT deployment."""
    ecs = cutover.client("ecs")
    running = {cutover.service(side)["task_definition"] for side in SIDES}
    workflow = next(k for k in resources_of_type(changed, "AWS::Lambda::Function") if "Workflow" in k)
    variables = cutover.client("lambda").get_function_configuration(FunctionName=applied.physical[workflow])
    bases = json.loads(variables["Environment"]["Variables"]["CUTOVER_TEMPLATE_TASK_DEFINITIONS"])
    for side in SIDES:
        arn = applied.physical[task_definition_id(changed, side)]
        (container,) = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"]
        assert {"name": "LOG_LEVEL", "value": "debug"} in container["environment"]
        assert container["image"] == TEMPLATE_IMAGE
        assert arn not in running
        assert bases[side] == arn


def test_a_routine_deploy_after_a_deployment_changes_nothing_live(cutover: LocalCutover) -> None:
    baseline, changed = baseline_template(), changed_template()
    done = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once", "termination_wait_seconds": 0}, "v2")
    assert done.status == "SUCCEEDED", done.cause
    before = snapshot(cutover)
    assert before["weights"] == {"blue": 0, "green": 100}
    assert (before["green"]["image"], before["green"]["desired"], before["blue"]["desired"]) == (IMAGE_V2, 2, 0)

    applied = apply_like_cloudformation(cutover, baseline, changed)

    assert_change_set_is_not_vacuous(applied, baseline, changed)
    assert snapshot(cutover) == before
    assert_sent_the_live_state(applied, changed, before)
    assert_template_revisions_serve_nobody(cutover, applied, changed)
    assert_naive_template_would_have_moved_things(applied, changed, before)

    # The same machinery CAN fail: applying the naive template moves everything back.
    apply_like_cloudformation(cutover, baseline, declared_instead(changed, changed))
    after_naive = snapshot(cutover)
    assert after_naive["weights"] == {"blue": 100, "green": 0}
    assert (after_naive["green"]["desired"], after_naive["green"]["image"]) == (0, TEMPLATE_IMAGE)


def test_a_routine_deploy_during_the_first_bake_changes_nothing_live(cutover: LocalCutover) -> None:
    baseline, changed = baseline_template(), changed_template()  # synthesized before the bake starts
    request = {"image": IMAGE_V2, "strategy": "canary", "bake_seconds": 1800, "termination_wait_seconds": 0}
    arn = cutover.start(request, "baking")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")  # the first bake
    before = snapshot(cutover)
    assert before["weights"] == {"blue": 90, "green": 10}
    assert (before["green"]["image"], before["green"]["desired"], before["blue"]["desired"]) == (IMAGE_V2, 2, 2)

    applied = apply_like_cloudformation(cutover, baseline, changed)

    after = snapshot(cutover)
    lock = cutover.lock()
    assert lock is not None and lock.get("task_key") == "step:0", "the bake ended before the check"
    assert after == before
    assert_change_set_is_not_vacuous(applied, baseline, changed)
    assert_sent_the_live_state(applied, changed, before)
    assert_template_revisions_serve_nobody(cutover, applied, changed)
    assert_naive_template_would_have_moved_things(applied, changed, before)

    execution = cutover.wait(arn)
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 0, "green": 100}
    green = cutover.service("green")
    assert (green["task_definition"], green["image"]) == (before["green"]["task_definition"], IMAGE_V2)
    assert cutover.service("blue")["desired"] == 0


AUTOSCALING = {"min": 2, "max": 4, "cpu_target_percent": 50}


def create_capacity_seed(resource: dict[str, Any]) -> None:
    """What CloudFormation and CDK's Provider framework do on Create: call the seed's real
    handler with the resource's properties, every value a string as CloudFormation sends it.
    Faked because moto cannot run Lambda-backed custom resources."""
    properties = {key: str(value) for key, value in resource["Properties"].items() if key != "ServiceToken"}
    event = {"RequestType": "Create", "ResourceProperties": properties}
    context: Any = LambdaContext("capacity-seed", "arn:aws:lambda:eu-west-1:123456789012:function:seed")
    capacity_seed.handler(event, context)


def test_enabling_autoscaling_later_keeps_the_live_side_within_its_new_bounds(cutover: LocalCutover) -> None:
    with_autoscaling = synth(autoscaling=AUTOSCALING)[STACK]
    done = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once", "termination_wait_seconds": 0}, "v2")
    assert done.status == "SUCCEEDED", done.cause
    live: dict[str, int] = {side: cutover.service(side)["desired"] for side in SIDES}
    assert live == {"blue": 0, "green": 2}
    added, removed = added_and_removed(baseline_template(), with_autoscaling)
    assert not removed
    ssm = cutover.client("ssm")
    for logical_id in sorted(added):  # CloudFormation creates the new seeds first (the targets depend on them)
        resource = with_autoscaling["Resources"][logical_id]
        if resource["Type"] == SEED_TYPE:
            ssm.put_parameter(**seed_call(resource)["parameters"])
        elif resource["Type"] == CAPACITY_SEED_TYPE:
            create_capacity_seed(resource)
    resolver = LocalResolver(cutover, with_autoscaling)
    bounds: dict[str, tuple[int, int]] = {}
    for logical_id in added:
        resource = with_autoscaling["Resources"][logical_id]
        if resource["Type"] != "AWS::ApplicationAutoScaling::ScalableTarget":
            continue
        properties = resource["Properties"]
        side = properties["ResourceId"].rsplit("-", 1)[1]  # service/cutover-demo/demo-<side>
        bounds[side] = (
            int(resolver.resolve(properties["MinCapacity"])),
            int(resolver.resolve(properties["MaxCapacity"])),
        )
    assert set(bounds) == set(SIDES)
    # RegisterScalableTarget moves an active service's capacity into min..max.
    moved = {
        side: f"desired {live[side]} -> {min(max(live[side], low), high)} (bounds {low}..{high})"
        for side, (low, high) in bounds.items()
        if not low <= live[side] <= high
    }
    assert not moved, moved
    assert bounds == {"green": (2, 4), "blue": (0, 0)}  # the live side scales, the idle one cannot
