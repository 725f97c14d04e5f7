"""The task execution role may pull private ECR images: the configured image's repository, the
pipeline's and `ecr_repositories`, and nothing else; the shifter knows the same list."""

from __future__ import annotations

import json
from typing import Any

from cutover.cdk.iam_exceptions import UNSCOPABLE_ACTIONS
from tests.infra.test_shifter import actions, role_statements
from tests.synth import render_join, resources_of_type, synth

STACK = "cutover-demo"
ECR_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1"
CROSS_ACCOUNT = "arn:aws:ecr:us-east-1:210987654321:repository/team/api"
PULL = {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"}


def execution_role_id(template: dict[str, Any]) -> str:
    (role_id,) = {
        str(definition["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0])
        for definition in resources_of_type(template, "AWS::ECS::TaskDefinition").values()
    }
    return role_id


def pulled_repositories(template: dict[str, Any]) -> list[str]:
    """Repository ARNs (tokens shown as <token>) the execution role may pull from."""
    found: list[str] = []
    for statement in role_statements(template, execution_role_id(template)):
        if set(actions(statement)) & PULL:
            assert set(actions(statement)) == PULL, actions(statement)
            resources = statement["Resource"]
            found.extend(render_join(r) for r in (resources if isinstance(resources, list) else [resources]))
    return found


def may_log_in(template: dict[str, Any]) -> bool:
    return any(
        "ecr:GetAuthorizationToken" in actions(s) and s["Resource"] == "*"
        for s in role_statements(template, execution_role_id(template))
    )


def shifter_repositories(template: dict[str, Any]) -> list[str]:
    for function in resources_of_type(template, "AWS::Lambda::Function").values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        if "CUTOVER_ECR_REPOSITORIES" in variables:
            repositories: list[str] = json.loads(render_join(variables["CUTOVER_ECR_REPOSITORIES"]))
            return repositories
    raise AssertionError("no shifter function has CUTOVER_ECR_REPOSITORIES")


def test_a_private_ecr_image_can_be_pulled_by_the_execution_role() -> None:
    template = synth(image=ECR_IMAGE)[STACK]
    assert pulled_repositories(template) == ["arn:aws:ecr:eu-west-1:123456789012:repository/app"]
    assert may_log_in(template)
    assert shifter_repositories(template) == ["arn:aws:ecr:eu-west-1:123456789012:repository/app"]


def test_the_listed_and_the_pipelines_repositories_are_granted_too() -> None:
    template = synth(image=ECR_IMAGE, ecr_repositories=["shop", CROSS_ACCOUNT], pipeline={"repository": "web"})[STACK]
    expected = [
        "arn:aws:ecr:eu-west-1:123456789012:repository/app",
        CROSS_ACCOUNT,
        "arn:aws:ecr:eu-west-1:<token>:repository/web",  # names: this stack's account
        "arn:aws:ecr:eu-west-1:<token>:repository/shop",
    ]
    assert sorted(pulled_repositories(template)) == sorted(expected)
    assert shifter_repositories(template) == expected


def test_a_public_image_needs_no_ecr_permission() -> None:
    template = synth()[STACK]
    assert pulled_repositories(template) == []
    assert not may_log_in(template)
    assert shifter_repositories(template) == []


def test_the_registry_login_is_the_only_ecr_action_on_any_resource() -> None:
    template = synth(image=ECR_IMAGE, ecr_repositories=["shop"])[STACK]
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Resource"] == "*":
                assert set(actions(statement)) <= set(UNSCOPABLE_ACTIONS), actions(statement)
