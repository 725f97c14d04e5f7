"""The ALB's data plane and ECS's tasks for a local stack, on AWS's timing.

What production traffic goes through in the demo and in load tests: ECS (the emulation) starts a
process of the example service for each side's tasks and SIGTERMs it once its targets have
drained; the router applies the listener's rules and weights, each of its nodes picking a change
up at its own moment, and routes only to targets that are registered and healthy; it publishes
what an ALB publishes per target group into local CloudWatch every period (alb_metrics.py). Call it after
`LocalCutover.create()`, with AWS's timing on (`runtime.install()` switches it on).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cutover.local import aws_timing, ecs_emulation
from cutover.local.alb_metrics import AlbMetrics
from cutover.local.metrics_publisher import MetricsPublisher
from cutover.local.router_process import RouterProcess
from cutover.local.task_processes import TaskProcesses
from cutover.shifter.contract import SIDES, Output, SideOutput, side_output
from cutover.shifter.logic.analysis.queries import AlbTargets, alb_targets

if TYPE_CHECKING:
    from cutover.local.runtime import LocalCutover
    from cutover.local.service_processes import ServiceFleet


@dataclass(frozen=True)
class DataPlane:
    router: RouterProcess  # the ALB's nodes, in their own process (router_process.py)
    tasks: TaskProcesses
    metrics: MetricsPublisher  # the ALB's target-group metrics, into local CloudWatch
    targets: AlbTargets  # their dimension values

    def stop(self) -> None:
        self.router.stop()
        self.metrics.stop()


def start_data_plane(
    local: LocalCutover,
    fleet: ServiceFleet,
    version_of: Callable[[str], str],
    error_rates: Mapping[str, float] | None = None,
    extra_latency_ms: Callable[[str], int] | None = None,
) -> DataPlane:
    """Run the stack's tasks as `fleet` processes (release = `version_of(image)`, its ERROR_RATE from
    `error_rates`, its EXTRA_LATENCY_MS from `extra_latency_ms`) and start the router."""
    timing = aws_timing.current()
    if timing is None:
        raise RuntimeError("AWS's timing is off: runtime.install() with a timing first")
    services = {local.outputs[side_output(side, SideOutput.SERVICE_NAME)]: side for side in SIDES}
    tasks = TaskProcesses(fleet, services, version_of, error_rates, extra_latency_ms)
    ecs_emulation.run_tasks_with(tasks)
    listener = local.outputs[Output.LISTENER_ARN]
    group_arns = {side: local.outputs[side_output(side, SideOutput.TARGET_GROUP_ARN)] for side in SIDES}
    targets = alb_targets(listener, group_arns)
    metrics = AlbMetrics(
        lambda: local.client("cloudwatch"),
        targets.load_balancer,
        {group_arns[side]: targets.target_groups[side] for side in SIDES},
    )
    router = RouterProcess(
        listener,
        lambda: local.client("elbv2"),
        timing=timing,
        targets=ecs_emulation.routable_targets,
        alb_metrics=metrics,
    )
    return DataPlane(router.start(), tasks, MetricsPublisher(metrics).start(), targets)
