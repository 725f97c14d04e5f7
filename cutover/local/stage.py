"""The local stage the demo and the sandbox play on: local AWS with a Cutover stack and its service.

`LocalStage.start()` starts moto's server on 127.0.0.1 (a free port) and points this process at
it (AWS_ENDPOINT_URL, MOTO_PORT, local credentials), patches moto (`runtime.install`), creates the
synthesized stack in it with CloudFormation, runs the example service's processes as the stack's
ECS tasks, starts the router (the ALB's data plane), points the shifter's smoke tests at it and
creates the stack's on_rollback hook function (demo_hooks: it turns a release's feature flags off).
`stop()` ends every process and thread it started: the service's processes, the router, the moto
server; as a context manager it stops them on any exit, Ctrl-C included. A `start()` that fails
stops what it had started before raising.

Stand-ins are announced through `stand_in` (the demo and the sandbox print them).
"""

from __future__ import annotations

import logging
import os
import socket
import warnings
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cutover.local.gc_pauses import frozen_heap
from cutover.shifter.contract import Output

if TYPE_CHECKING:
    from cutover.cli.target import Target
    from cutover.local.aws_timing import AwsTiming
    from cutover.local.demo_hooks import FlagsOffHook
    from cutover.local.router_process import RouterProcess
    from cutover.local.runtime import LocalCutover
    from cutover.local.service_processes import ServiceFleet

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": REGION}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def quiet() -> None:
    # moto warns about resources it skips (access policies it would not enforce) and logs
    # every state it runs; Powertools logs and metrics go to CloudWatch on AWS.
    warnings.filterwarnings("ignore")
    for noisy in ("moto", "botocore", "aws_lambda_powertools", "cutover-shifter", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    os.environ.update(POWERTOOLS_LOG_LEVEL="CRITICAL", POWERTOOLS_METRICS_DISABLED="true")


def _say_nothing(text: str) -> None:
    return None


class LocalStage:
    """`with LocalStage(assembly, stack) as stage:` local AWS, the stack, its tasks and the router."""

    def __init__(
        self,
        assembly: Path,
        stack: str,
        region: str = REGION,
        *,
        time_scale: float,
        timing: AwsTiming | None = None,
        error_rates: Mapping[str, float] | None = None,
        extra_latency_ms: Callable[[str], int] | None = None,  # release -> its EXTRA_LATENCY_MS
        say: Callable[[str], None] = _say_nothing,
        stand_in: Callable[[str], None] = _say_nothing,
    ) -> None:
        self.assembly = assembly
        self.stack = stack
        self.region = region
        self.time_scale = time_scale
        self.timing = timing  # None: AWS's timing with its defaults (aws_timing.AwsTiming)
        self.error_rates = dict(error_rates or {})
        self.extra_latency_ms = extra_latency_ms
        self.say = say
        self.stand_in = stand_in
        self.server: Any = None  # moto.server.ThreadedMotoServer (moto is imported only on start)
        self.endpoint = ""
        self.outputs: dict[str, str] = {}
        self.local: LocalCutover
        self.target: Target
        self.router: RouterProcess | None = None
        self.fleet: ServiceFleet | None = None
        self.rollback_hook: FlagsOffHook | None = None
        self._frozen = ExitStack()  # the heap frozen once everything is up (gc_pauses)

    def __enter__(self) -> LocalStage:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ start
    def start(self) -> LocalStage:
        try:
            self._start_local_aws()
            self._create_stack()
            self._start_data_plane()
            self._frozen.enter_context(frozen_heap())
        except BaseException:
            self.stop()
            raise
        return self

    def _start_local_aws(self) -> None:
        from moto.core.config import default_user_config
        from moto.server import ThreadedMotoServer

        from cutover.local import runtime
        from cutover.local.loaded_stack import MOTO_CONFIG

        os.environ.update(LOCAL_CREDENTIALS, AWS_DEFAULT_REGION=self.region)
        os.environ.pop("AWS_PROFILE", None)  # a profile of the user's would override the local credentials
        port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        self.endpoint = f"http://127.0.0.1:{port}"
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint  # our Lambda code, run in-process, talks to it too
        os.environ["MOTO_PORT"] = str(port)  # where moto's Step Functions interpreter calls Lambda
        default_user_config.update(MOTO_CONFIG)  # the state machine runs, Lambdas in-process
        self.timing = self.timing or runtime.AWS_TIMING
        runtime.install(time_scale=self.time_scale, timing=self.timing)
        self.say(f"Local AWS: moto server at {self.endpoint} (no AWS account; nothing leaves this machine)")

    def _create_stack(self) -> None:
        import time

        from cutover.cli.target import Target
        from cutover.local.runtime import LocalCutover

        started = time.perf_counter()
        self.local = LocalCutover(self.assembly, self.stack, self.region)
        self.outputs = self.local.create()
        self.say(f"Stack {self.stack} created from {self.assembly.name} in {time.perf_counter() - started:.1f} s")
        self.target = Target(stack=self.stack, region=self.region, endpoint_url=self.endpoint)

    def _start_data_plane(self) -> None:
        from cutover.local import runtime
        from cutover.local.data_plane import start_data_plane
        from cutover.local.demo_hooks import FLAGS_OFF_FUNCTION, install_flags_off_hook
        from cutover.local.loaded_stack import version_of
        from cutover.local.service_processes import ServiceFleet

        self.fleet = ServiceFleet()
        plane = start_data_plane(self.local, self.fleet, version_of, self.error_rates, self.extra_latency_ms)
        self.router = plane.router
        blue = plane.tasks.processes()[("blue", "v1")]
        timing = self.timing or runtime.AWS_TIMING
        self.stand_in(f"ECS tasks are processes of the example service: blue v1 at {blue.url}")
        self.stand_in(
            f"AWS's timing: a listener change reaches the ALB's {timing.propagation_nodes} nodes within "
            f"{timing.listener_propagation_seconds:.0f} s, a task starts in {timing.task_start_seconds:.0f} s, "
            "a target drains for its deregistration delay before its task gets SIGTERM"
        )
        self.stand_in(f"the ALB is a router at {self.router.url} applying the listener's actual rules and weights")
        self.local.point_smoke_tests_at(self.router.url)
        self.rollback_hook = install_flags_off_hook(self.local, self.fleet.flags)
        self.stand_in(
            f"the stack's on_rollback hook {FLAGS_OFF_FUNCTION} is a function of this process: it turns off "
            "the feature flags a rolled-back release switched on, in the flags file every task reads"
        )

    # ------------------------------------------------------------------ what a user needs
    @property
    def router_url(self) -> str:
        if self.router is None:
            raise RuntimeError("the stage is not started")
        return self.router.url

    def test_token(self) -> str | None:
        """The test route's X-Cutover-Test-Token (the stack's generated secret), if it has one."""
        arn = self.outputs.get(Output.TEST_TOKEN_SECRET_ARN)
        if arn is None:
            return None
        token: str = self.local.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        return token

    # ------------------------------------------------------------------ stop
    def stop(self) -> None:
        """Stop the router, every service process, then the moto server; each step runs whatever the others do."""
        steps: list[Callable[[], object]] = [self._frozen.close]
        if self.router is not None:
            steps.append(self.router.stop)
        if self.fleet is not None:
            steps.append(self.fleet.stop_all)
        if self.server is not None:
            steps.append(self.server.stop)
        self.router, self.fleet, self.server = None, None, None
        for step in steps:
            try:
                step()
            except Exception as error:  # keep stopping the rest
                self.say(f"[red]while stopping: {error}[/red]")
