"""`cutover-local sandbox`: a person's deploy and rollback through the installed `cutover` script,
and nothing left running once it is stopped.

The sandbox runs 100x faster than AWS here (--time-scale 0.01, as the demo), so a 10-minute bake
is a 6 s window to set the alarm in. Every process it starts inherits a marker variable unique to
this test: after the stop, no process on the machine may still carry it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cutover.local.sandbox import READY, REGISTRY
from tests.local.synth_local import synth_local_assembly
from tests.synth import ROOT

SCRIPTS = Path(sys.executable).parent  # the installed console scripts (`make install`)
MARKER = "CUTOVER_SANDBOX_TEST_RUN"
NOT_INHERITED = ("AWS_PROFILE", "CUTOVER_PROFILE", "AWS_ENDPOINT_URL", "CUTOVER_STACK", "CUTOVER_ENDPOINT_URL")


def processes_marked(run_id: str) -> list[int]:
    """PIDs of live processes whose environment holds MARKER=run_id (zombies have none)."""
    needle = f"{MARKER}={run_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours
            continue
    return found


def sandbox_command(assembly: Path) -> list[str]:
    return [str(SCRIPTS / "cutover-local"), "sandbox", "--time-scale", "0.01", "--assembly", str(assembly)]


class Sandbox:
    """A sandbox started by `command`, its output read as it comes; `ready` once it says so."""

    def __init__(
        self, command: list[str], environment: dict[str, str], runtime_dir: Path, *, own_process_group: bool = False
    ) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=own_process_group,  # as a shell starts a foreground job: a group of its own
        )
        self.runtime_dir = runtime_dir
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith(READY):
                self.ready.set()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # only after a failure; the run_id fixture then kills what it started
        self.process.wait(10)
        self.reader.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def exports(self) -> dict[str, str]:
        """The `export KEY=VALUE` lines it printed: what a person pastes into their shell."""
        exported = [line.strip().removeprefix("export ") for line in self.lines if line.strip().startswith("export ")]
        return dict(line.split("=", 1) for line in exported)

    def state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.runtime_dir / "sandbox.json").read_text())
        return loaded


@pytest.fixture
def run_id() -> Iterator[str]:
    run = uuid.uuid4().hex
    yield run
    for pid in processes_marked(run):  # only after a failure: this test's own processes
        os.kill(pid, signal.SIGKILL)


def cutover(environment: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPTS / "cutover"), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def status(environment: dict[str, str]) -> dict[str, Any]:
    shown = cutover(environment, "status", "--output", "json")
    assert shown.returncode == 0, shown.stderr
    document: dict[str, Any] = json.loads(shown.stdout)
    return document


def live_image(document: dict[str, Any]) -> str:
    live = next(side for side in document["sides"] if side["live"])
    image: str = live["image"]
    return image


def wait_for_bake(environment: dict[str, str], timeout: float = 60) -> str:
    """The new side, once the deployment bakes at its first weight."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deployment = status(environment)["deployment"]
        if deployment and str(deployment.get("phase", "")).startswith("shifted:"):
            side: str = deployment["new_side"]
            return side
        time.sleep(0.2)
    raise AssertionError("the deployment never reached its first bake")


def test_a_person_deploys_and_rolls_back_in_the_sandbox_and_stop_leaves_nothing_running(
    tmp_path: Path, run_id: str
) -> None:
    base = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    sandbox_environment = {**base, "CUTOVER_SANDBOX_DIR": str(tmp_path), MARKER: run_id, "PYTHONUNBUFFERED": "1"}
    sandbox = Sandbox(sandbox_command(synth_local_assembly()), sandbox_environment, tmp_path)
    try:
        assert sandbox.ready.wait(90), sandbox.output
        exports = sandbox.exports()
        assert {"CUTOVER_ENDPOINT_URL", "CUTOVER_STACK", "CUTOVER_REGION", "AWS_ACCESS_KEY_ID"} <= exports.keys()
        assert "cutover status" in sandbox.output and "X-Canary-Version" in sandbox.output
        person = {**base, **exports}  # a shell with the printed environment
        router = sandbox.state()["router_url"]

        deployed = cutover(person, "deploy", f"{REGISTRY}:v7", "--watch", "--output", "json")
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        assert json.loads(deployed.stdout)["succeeded"] is True
        assert live_image(status(person)) == f"{REGISTRY}:v7"
        with urllib.request.urlopen(f"{router}/health", timeout=10) as answer:
            assert json.loads(answer.read())["version"] == "v7"  # production traffic reaches v7

        baking = subprocess.Popen(
            [str(SCRIPTS / "cutover"), "deploy", f"{REGISTRY}:v8", "--bake", "10m", "--watch", "--output", "json"],
            cwd=ROOT,
            env=person,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        new_side = wait_for_bake(person)
        alarm = subprocess.run(
            [str(SCRIPTS / "cutover-local"), "alarm", f"cutover-demo-{new_side}-5xx"],
            env={**base, "CUTOVER_SANDBOX_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert alarm.returncode == 0, alarm.stdout + alarm.stderr
        out, err = baking.communicate(timeout=120)
        assert baking.returncode == 1, out + err
        result = json.loads(out)
        assert result["rolled_back"] is True and result["cause"].startswith("AlarmFired"), result
        assert live_image(status(person)) == f"{REGISTRY}:v7"  # the rollback left v7 live

        running = processes_marked(run_id)
        assert sandbox.process.pid in running and len(running) >= 2  # the marker reaches the service's processes
        stopped = subprocess.run(
            [str(SCRIPTS / "cutover-local"), "stop"],
            env={**base, "CUTOVER_SANDBOX_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert sandbox.process.wait(10) == 0, sandbox.output
    finally:
        sandbox.close()
    assert processes_marked(run_id) == []  # no service process, nothing else it started
    assert not (tmp_path / "sandbox.json").exists()


def live_members_of_group(group: int) -> list[str]:
    """The live (not zombie) processes in a process group, as `pid state command`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        state, _parent, process_group = stat.rsplit(")", 1)[-1].split()[:3]
        if int(process_group) == group and state != "Z":
            found.append(f"{entry.name} {state} {command}")
    return found


def test_ctrl_c_in_the_sandbox_ends_every_process_it_started(tmp_path: Path, run_id: str) -> None:
    """A terminal's Ctrl-C sends SIGINT to its foreground process group: here the sandbox runs as a
    shell's foreground job does, leading a group of its own, and the whole group gets SIGINT."""
    base = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    sandbox_environment = {**base, "CUTOVER_SANDBOX_DIR": str(tmp_path), MARKER: run_id, "PYTHONUNBUFFERED": "1"}
    sandbox = Sandbox(sandbox_command(synth_local_assembly()), sandbox_environment, tmp_path, own_process_group=True)
    group = sandbox.process.pid
    try:
        assert sandbox.ready.wait(90), sandbox.output
        with urllib.request.urlopen(f"{sandbox.state()['router_url']}/health", timeout=10) as answer:
            assert json.loads(answer.read())["version"] == "v1"  # it serves: its processes are up
        started = processes_marked(run_id)
        assert sandbox.process.pid in started and len(started) >= 2, started

        os.killpg(group, signal.SIGINT)
        assert sandbox.process.wait(90) == 0, sandbox.output
    finally:
        sandbox.close()
    assert "Sandbox stopped" in sandbox.output, sandbox.output
    assert "Traceback" not in sandbox.output, sandbox.output  # the router and load processes ignore it
    assert processes_marked(run_id) == []  # the service's processes (their own sessions) and all else it started
    assert live_members_of_group(group) == []  # nor anything else the Ctrl-C reached
    assert not (tmp_path / "sandbox.json").exists() and not (tmp_path / "env.sh").exists()
