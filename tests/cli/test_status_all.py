"""`cutover status --all`: every Cutover stack in the account and region, one row each,
against local AWS holding two Cutover stacks and one unrelated stack."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cutover.cli import main
from cutover.cli.main import app
from cutover.local import ecs_emulation
from cutover.local.repositories import LOCAL_ECR_REPOSITORIES
from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from cutover.shifter.contract import SIDES
from tests.synth import synth_assembly
from tests.workflow.conftest import REGION, local_cutover

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
TWO_SERVICES = [{"service_name": "demo"}, {"service_name": "shop"}]
# moto pages DescribeStacks by 50 stacks (AWS by 1 MB of response): the CLI must read every page.
MOTO_STACKS_PER_PAGE = 50
runner = CliRunner()
main.console.size = (200, 60)  # wide enough that table cells do not wrap


def _bind(local: LocalCutover) -> None:
    for side in SIDES:
        title = side.capitalize()
        ecs_emulation.bind(local.outputs[f"{title}ServiceName"], local.outputs[f"{title}TargetGroupArn"])
    ecs_emulation.sync(local.account, local.region, local.outputs["ClusterName"])


@pytest.fixture
def fleet(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: TestRouteStandIn
) -> Iterator[tuple[LocalCutover, LocalCutover]]:
    """cutover-demo and cutover-shop from one app (context `services`), with more unrelated stacks
    created between them than one DescribeStacks page holds, so cutover-shop is on the second page."""
    with local_cutover(monkeypatch, test_route, services=TWO_SERVICES) as demo:
        unrelated = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
        for index in range(MOTO_STACKS_PER_PAGE):
            demo.client("cloudformation").create_stack(
                StackName=f"unrelated-{index}", TemplateBody=json.dumps(unrelated)
            )
        # the same assembly local_cutover synthesized for cutover-demo (both stacks are in it)
        assembly = synth_assembly(local=True, ecr_repositories=list(LOCAL_ECR_REPOSITORIES), services=TWO_SERVICES)
        shop = LocalCutover(assembly, "cutover-shop", REGION)
        shop.create()  # resets the ECS emulation's bindings: bind both stacks' services again
        _bind(demo)
        _bind(shop)
        shop.point_smoke_tests_at(test_route.url)
        yield demo, shop


def test_status_all_shows_one_row_per_cutover_stack(fleet: tuple[LocalCutover, LocalCutover]) -> None:
    result = runner.invoke(app, ["status", "--all"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "cutover-" in line and "│" in line]
    assert [row.split("│")[1].strip() for row in rows] == ["cutover-demo", "cutover-shop"]
    assert "unrelated" not in result.output
    assert all("blue 100 % / green 0 %" in row and "nginx:1.27-alpine" in row for row in rows)


def test_status_all_json_tells_each_stacks_own_live_side(fleet: tuple[LocalCutover, LocalCutover]) -> None:
    _demo, shop = fleet
    deployed = shop.run({"image": IMAGE_V2, "strategy": "all-at-once"}, "deploy-shop-v2")
    assert deployed.status == "SUCCEEDED", deployed
    result = runner.invoke(app, ["status", "--all", "--output", "json"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith('{"schema_version"')]
    (document,) = (json.loads(line) for line in lines)
    assert document["kind"] == "status_all" and document["region"] == REGION
    by_stack = {row["stack"]: row for row in document["stacks"]}
    assert set(by_stack) == {"cutover-demo", "cutover-shop"}
    assert (by_stack["cutover-demo"]["live_side"], by_stack["cutover-demo"]["service"]) == ("blue", "demo")
    assert (by_stack["cutover-shop"]["live_side"], by_stack["cutover-shop"]["service"]) == ("green", "shop")
    assert by_stack["cutover-shop"]["sides"][1]["image"] == IMAGE_V2
    assert all(row["error"] is None and row["deployment"] is None for row in document["stacks"])


def test_a_stack_that_cannot_be_read_is_a_row_with_its_error(fleet: tuple[LocalCutover, LocalCutover]) -> None:
    demo, _shop = fleet
    demo.client("dynamodb").delete_table(TableName=demo.outputs["TableName"])  # e.g. deleted by hand
    result = runner.invoke(app, ["status", "--all", "-o", "json"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith('{"schema_version"'))
    by_stack = {row["stack"]: row for row in json.loads(line)["stacks"]}
    assert by_stack["cutover-demo"]["error"]["code"] == "aws_error"
    assert "ResourceNotFoundException" in by_stack["cutover-demo"]["error"]["message"]
    assert by_stack["cutover-demo"]["sides"] is None
    assert by_stack["cutover-shop"]["error"] is None and by_stack["cutover-shop"]["live_side"] == "blue"


def test_status_all_with_no_cutover_stack_says_so() -> None:
    from moto import mock_aws

    with mock_aws():
        result = runner.invoke(
            app,
            ["status", "--all", "--region", REGION],
            env={"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
        )
    assert result.exit_code == 0, result.output
    assert f"No Cutover stacks in {REGION}." in result.output
