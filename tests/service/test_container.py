"""The image's contract: Dockerfile, health-check command, requirements and the console entry.

There is no Docker daemon here, so the Dockerfile is checked statically; its CMD is what every
server process in these tests runs (tests/service/server_process.py reads it from the Dockerfile and
runs it outside Docker, with `python` being the venv's interpreter and cwd the image's /app layout).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from cutover_service.contract import CONTAINER_PORT, HEALTHCHECK_COMMAND, LIVENESS_PATH

from tests.service.server_process import DOCKERFILE, SERVICE_DIR, ServerProcess, dockerfile_cmd, free_port


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def arguments_of(keyword: str) -> list[str]:
    return [rest for name, rest in instructions() if name == keyword]


def test_dockerfile_base_user_port_signal_and_command() -> None:
    steps = instructions()
    assert steps[0][0] == "FROM"
    assert re.fullmatch(r"python:3\.\d+-slim", steps[0][1]), steps[0]
    assert arguments_of("FROM") == [steps[0][1]]  # one stage

    users = arguments_of("USER")
    assert users and users[-1] not in {"root", "0", "0:0"}
    names = [name for name, _ in steps]
    last_user = len(names) - 1 - names[::-1].index("USER")
    assert "RUN" not in names[last_user:], "everything after USER runs unprivileged; installs come before it"
    assert any("useradd" in rest and users[-1] in rest for name, rest in steps if name == "RUN")

    assert arguments_of("EXPOSE") == [str(CONTAINER_PORT)]
    assert arguments_of("STOPSIGNAL") == ["SIGTERM"]
    assert dockerfile_cmd() == ["python", "-m", "cutover_service"]
    assert arguments_of("WORKDIR") == ["/app"]
    assert "requirements.txt ./" in arguments_of("COPY")[0]
    assert any("pip install" in rest and "-r requirements.txt" in rest for rest in arguments_of("RUN"))
    assert any(rest.endswith("cutover_service ./cutover_service") for rest in arguments_of("COPY"))


def test_dockerfile_healthcheck_is_the_shared_python_probe() -> None:
    (healthcheck,) = arguments_of("HEALTHCHECK")
    options, _, command = healthcheck.partition(" CMD ")
    assert command == HEALTHCHECK_COMMAND
    assert command.startswith('python -c "') and LIVENESS_PATH in command and "curl" not in command
    assert "--start-period=" in options and "--interval=" in options


def run_healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    """The command exactly as the container runs it (`/bin/sh -c`), `python` being this interpreter."""
    environment = {
        **os.environ,
        "PORT": str(port),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        ["/bin/sh", "-c", HEALTHCHECK_COMMAND], env=environment, capture_output=True, text=True, timeout=20, check=False
    )


def test_the_healthcheck_command_passes_on_a_live_server_and_fails_without_one(
    shared_server: ServerProcess,
) -> None:
    assert run_healthcheck(shared_server.port).returncode == 0
    nobody = free_port()
    failed = run_healthcheck(nobody)
    assert failed.returncode != 0
    assert "Connection refused" in failed.stderr or "URLError" in failed.stderr


def test_the_contract_module_needs_no_server_dependencies() -> None:
    """The CDK app imports cutover_service.contract; it must not drag in mcp, uvicorn & co."""
    probe = (
        "import sys, json, cutover_service.contract as c; "
        "heavy = {'mcp', 'uvicorn', 'starlette', 'prometheus_client', 'pydantic', 'anyio'}; "
        "print(json.dumps([c.CONTAINER_PORT, sorted(m for m in sys.modules if m.split('.')[0] in heavy)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(SERVICE_DIR)},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(result.stdout) == [8080, []]


def test_requirements_are_pinned_and_installed() -> None:
    lines = [
        line.strip()
        for line in (SERVICE_DIR / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    pins = dict(line.split("==", 1) for line in lines)
    assert len(pins) == len(lines), "every requirement is pinned with =="
    assert {"mcp", "uvicorn", "prometheus-client"} <= set(pins)
    for name, pinned in pins.items():
        assert version(name) == pinned, name


def test_invalid_settings_stop_the_entry_point_with_a_json_error() -> None:
    result = subprocess.run(
        [sys.executable, *dockerfile_cmd()[1:]],
        cwd=SERVICE_DIR,
        env={**os.environ, "PYTHONPATH": str(SERVICE_DIR), "ERROR_RATE": "2"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["level"] == "ERROR" and "ERROR_RATE" in record["message"]
