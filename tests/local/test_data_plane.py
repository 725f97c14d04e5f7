"""Production traffic through the local stack's data plane on AWS's timing: ECS runs each side's
tasks as example-service processes, the router routes by the listener and by target health.

The synthesized local stack in moto, with real processes; nothing runs the state machine here:
the test makes the calls the shifter would (UpdateService, ModifyListener) and watches what a
user would: which side answers, and when a process gets SIGTERM. Waits are bounded waits for a
state, on the compressed clock (the demo's scale)."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from cutover.local import aws_timing, runtime, time_compression
from cutover.local.data_plane import DataPlane, start_data_plane
from cutover.local.loaded_stack import MOTO_CONFIG
from cutover.local.runtime import LocalCutover
from cutover.local.service_processes import ServiceFleet
from tests.synth import synth_assembly
from tests.workflow.conftest import REGION, STACK

SCALE = 0.01  # the demo's: AWS's 30 s are 0.3 s


def side_answering(plane: DataPlane) -> str | None:
    port = int(plane.router.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        response.read()
        return response.getheader("X-Cutover-Side") if response.status == 200 else f"status {response.status}"
    finally:
        connection.close()


def bounded_wait(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.02)


@pytest.fixture
def plane(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[LocalCutover, DataPlane]]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    previous = time_compression.recorder.scale
    runtime.install(time_scale=SCALE)
    try:
        with mock_aws(config=MOTO_CONFIG), ServiceFleet(log_dir=tmp_path) as fleet:
            local = LocalCutover(synth_assembly(local=True), STACK, REGION)
            local.create()
            started = start_data_plane(local, fleet, version_of=lambda image: "v1")
            try:
                yield local, started
            finally:
                started.stop()
    finally:
        time_compression.recorder.scale = previous


def test_traffic_moves_to_a_side_once_its_tasks_are_healthy_and_the_old_side_drains_before_sigterm(
    plane: tuple[LocalCutover, DataPlane], monkeypatch: pytest.MonkeyPatch
) -> None:
    local, data_plane = plane
    sigterms: list[float] = []  # AWS seconds at which ECS stopped a task (observed, not replaced)
    stop_task = data_plane.tasks.stop_task

    def observed_stop(service: str, task_id: str) -> None:
        sigterms.append(aws_timing.clock.now())
        stop_task(service, task_id)

    monkeypatch.setattr(data_plane.tasks, "stop_task", observed_stop)
    outputs = local.outputs
    assert side_answering(data_plane) == "blue"
    blue = data_plane.tasks.processes()[("blue", "v1")]
    ecs = local.client("ecs")

    ecs.update_service(cluster=outputs["ClusterName"], service=outputs["GreenServiceName"], desiredCount=1)
    green_group = outputs["GreenTargetGroupArn"]
    health = local.client("elbv2").describe_target_health
    bounded_wait(
        lambda: (
            [t["TargetHealth"]["State"] for t in health(TargetGroupArn=green_group)["TargetHealthDescriptions"]]
            == ["healthy"]
        ),
        "green's task is healthy",
    )
    local.client("elbv2").modify_listener(
        ListenerArn=outputs["ListenerArn"],
        DefaultActions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": outputs["BlueTargetGroupArn"], "Weight": 0},
                        {"TargetGroupArn": green_group, "Weight": 100},
                    ]
                },
            }
        ],
    )
    bounded_wait(lambda: all(side_answering(data_plane) == "green" for _ in range(6)), "every node routes to green")
    scaled_in_at = aws_timing.clock.now()
    ecs.update_service(cluster=outputs["ClusterName"], service=outputs["BlueServiceName"], desiredCount=0)

    bounded_wait(lambda: not blue.running, "blue's process got SIGTERM and exited")
    assert blue.returncode == 0  # it drained and exited by itself
    attributes = local.client("elbv2").describe_target_group_attributes(TargetGroupArn=outputs["BlueTargetGroupArn"])
    delay = float(
        next(a["Value"] for a in attributes["Attributes"] if a["Key"] == "deregistration_delay.timeout_seconds")
    )
    assert sigterms and min(sigterms) - scaled_in_at >= delay  # draining first: SIGTERM only after the delay
    assert side_answering(data_plane) == "green"
