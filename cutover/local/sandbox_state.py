"""Where a running sandbox says where it is: a state file that `cutover-local` reads.

The sandbox writes `sandbox.json` (its PID, local AWS's endpoint, the stack, the router) and
`env.sh` (the environment for the `cutover` CLI) into its runtime directory: `.sandbox/` in the
repository, or `$CUTOVER_SANDBOX_DIR`. It removes both when it stops. `cutover-local stop`
signals that PID only while it is a live process whose command line is a sandbox's (a PID left in
a stale file may belong to another process by now).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from pydantic import BaseModel

from cutover.local.stage import ROOT

SANDBOX_DIR_ENV = "CUTOVER_SANDBOX_DIR"
SANDBOX_MARKER = "sandbox"  # in the command line of every sandbox process (`cutover-local sandbox`)


class SandboxState(BaseModel):
    pid: int
    endpoint_url: str
    stack: str
    region: str
    router_url: str
    time_scale: float
    assembly: str  # the synthesized stack it created (cutover-local alarm reads its outputs' names)


def runtime_dir() -> Path:
    return Path(os.environ.get(SANDBOX_DIR_ENV) or ROOT / ".sandbox")


def state_file() -> Path:
    return runtime_dir() / "sandbox.json"


def env_file() -> Path:
    return runtime_dir() / "env.sh"


def environment(state: SandboxState) -> dict[str, str]:
    """What the `cutover` CLI reads (cutover/cli/connection.py) and boto3 needs, for this sandbox."""
    from cutover.cli.connection import ENDPOINT_ENV, REGION_ENV, STACK_ENV
    from cutover.local.stage import LOCAL_CREDENTIALS

    return {
        ENDPOINT_ENV: state.endpoint_url,
        STACK_ENV: state.stack,
        REGION_ENV: state.region,
        "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def write(state: SandboxState, env_script: str) -> None:
    directory = runtime_dir()
    directory.mkdir(parents=True, exist_ok=True)
    env_file().write_text(env_script)
    temporary = state_file().with_suffix(".tmp")
    temporary.write_text(state.model_dump_json(indent=2) + "\n")
    temporary.replace(state_file())  # a reader never sees half a file


def remove(pid: int) -> None:
    """Remove the files if they are still this sandbox's."""
    current = read()
    if current is not None and current.pid != pid:
        return
    for path in (state_file(), env_file()):
        path.unlink(missing_ok=True)


def read() -> SandboxState | None:
    try:
        return SandboxState.model_validate_json(state_file().read_text())
    except (OSError, ValueError):
        return None


def is_sandbox_process(pid: int) -> bool:
    """A live (not zombie) process whose command line is a sandbox's."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = status.rsplit(")", 1)[-1].split()[0]
    return state != "Z" and SANDBOX_MARKER in command


def running() -> SandboxState | None:
    """The running sandbox's state; None if there is none (a stale file is removed)."""
    state = read()
    if state is None:
        return None
    if not is_sandbox_process(state.pid):
        remove(state.pid)
        return None
    return state


def stop(state: SandboxState, timeout_seconds: float) -> bool:
    """SIGTERM the sandbox and wait until its process is gone; True if it is."""
    try:
        os.kill(state.pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if not is_sandbox_process(state.pid):
            return True
        time.sleep(0.1)
    return False
