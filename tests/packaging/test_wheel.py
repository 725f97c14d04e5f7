"""The wheel, installed in a fresh virtualenv outside the checkout, is what a user gets.

Built with `pip wheel --no-deps` from this checkout (pip fetches the build backend, setuptools,
from the package index, as for any user), installed with `--no-deps` into a virtualenv
in a temporary directory whose third-party packages come from the dev virtualenv (a .pth file:
aws-cdk-lib and moto are not downloaded again) but whose `cutover` is the wheel's, never this
checkout's (asserted). Everything then runs with a temporary working directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "existing-app"
STEP_TIMEOUT_SECONDS = 240  # a build, an install or a synth; the whole module stays within a few minutes


@dataclass(frozen=True)
class Installed:
    python: Path
    bin: Path
    outside: Path  # a working directory outside the checkout

    def run(
        self, *command: str, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(command),
            cwd=cwd or self.outside,
            env=env or isolated_environment(),
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_SECONDS,
            check=False,
        )


def isolated_environment(**extra: str) -> dict[str, str]:
    """No AWS credentials or configuration, no PYTHONPATH to the checkout."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    environment = {key: value for key, value in os.environ.items() if key in keep}
    environment.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    environment.update(extra)
    return environment


def _dev_site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    # A copy of the checkout's files (tracked, and new ones not ignored): the build never writes
    # into the checkout (egg-info, build/), and never sees its caches or virtualenv.
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for name in filter(None, tracked.stdout.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    wheels = work / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        timeout=STEP_TIMEOUT_SECONDS,
        env=isolated_environment(),
    )
    (wheel,) = wheels.glob("cutover-*.whl")
    environment = work / "venv"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Third-party packages from the dev virtualenv, appended after the venv's own site-packages,
    # without its editable `cutover` (a .pth file or finder that points at this checkout).
    (Path(purelib) / "dev_packages.pth").write_text(str(_dev_site_packages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        timeout=STEP_TIMEOUT_SECONDS,
        env=isolated_environment(),
    )
    outside = work / "outside"
    outside.mkdir()
    yield Installed(python=python, bin=environment / "bin", outside=outside)


def test_the_wheel_installs_one_top_level_package_and_the_venv_imports_it(installed: Installed) -> None:
    probe = (
        "import importlib.metadata as m, importlib.util as u, json, cutover, cutover.cdk, cutover.shifter\n"
        "files = m.distribution('cutover').files or []\n"
        "print(json.dumps({'file': cutover.__file__, 'top': sorted({f.parts[0] for f in files}),\n"
        "    'generic': [name for name in ('stacks', 'shifter') if u.find_spec(name)]}))\n"
    )
    result = installed.run(str(installed.python), "-c", probe)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert Path(found["file"]).is_relative_to(installed.python.parent.parent)  # the wheel's, not this checkout's
    assert [top for top in found["top"] if not top.endswith(".dist-info") and top != ".."] == ["cutover"]
    assert found["generic"] == []


def test_the_example_app_synthesizes_from_the_installed_wheel_outside_the_checkout(installed: Installed) -> None:
    app = installed.outside / "existing-app"
    shutil.copytree(EXAMPLE, app)
    output = installed.outside / "cdk.out"
    result = installed.run(str(installed.python), "app.py", cwd=app, env=isolated_environment(CDK_OUTDIR=str(output)))
    assert result.returncode == 0, result.stderr[-2_000:]
    template = json.loads((output / "cutover-shop.template.json").read_text())
    resources = template["Resources"].values()
    kinds = [resource["Type"] for resource in resources]
    services = sorted(r["Properties"]["ServiceName"] for r in resources if r["Type"] == "AWS::ECS::Service")
    assert services == ["shop-blue", "shop-green"]
    assert kinds.count("AWS::StepFunctions::StateMachine") == 1
    assert kinds.count("AWS::ElasticLoadBalancingV2::LoadBalancer") == 1
    # The app's own VPC and cluster are used, not created again.
    assert "AWS::EC2::VPC" not in kinds and "AWS::ECS::Cluster" not in kinds
    handlers = {r["Properties"]["Handler"] for r in resources if r["Type"] == "AWS::Lambda::Function"}
    assert "cutover.shifter.handlers.workflow.handler" in handlers
    # The Lambda asset, staged from the installed package, holds the shifter and nothing else.
    assets = json.loads((output / "cutover-shop.assets.json").read_text())["files"].values()
    (code,) = [
        output / asset["source"]["path"]
        for asset in assets
        if (output / asset["source"]["path"] / "cutover" / "shifter" / "handlers" / "workflow.py").is_file()
    ]
    assert sorted(p.name for p in code.iterdir()) == ["cutover"]
    assert sorted(p.name for p in (code / "cutover").iterdir()) == ["__init__.py", "shifter"]


VALID_INPUT = {"image": "public.ecr.aws/nginx/nginx:1.28-alpine", "strategy": "linear", "linear_step": 25}
INVALID_INPUT = {"image": "public.ecr.aws/nginx/nginx:1.28-alpine", "strategy": "sideways"}
# Each command with the arguments it requires; run without credentials, region or stack.
COMMANDS: dict[str, list[str]] = {
    "deploy": ["deploy", "public.ecr.aws/nginx/nginx:1.28-alpine"],
    "status": ["status"],
    "preflight": ["preflight"],
    "watch": ["watch"],
    "history": ["history"],
    "switch": ["switch", "green"],
    "rollback": ["rollback"],
    "promote": ["promote"],
    "abort": ["abort"],
    "repair": ["repair"],
}
NO_CREDENTIALS = 3  # docs/cli.md, "Exit codes"


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout + result.stderr
    return lines[0]


def test_every_cli_command_runs_from_the_wheel_outside_the_checkout(installed: Installed) -> None:
    cutover = str(installed.bin / "cutover")
    listed = installed.run(
        str(installed.python),
        "-c",
        "import typer.main as t; from cutover.cli.main import app; "
        "print(' '.join(sorted(t.get_command(app).commands)))",
    )
    assert sorted([*COMMANDS, "plan"]) == listed.stdout.split(), "every command is run below"

    assert installed.run(cutover, "--help").returncode == 0
    version = installed.run(cutover, "--version")
    assert (version.returncode, version.stdout.strip()) == (0, "cutover 0.1.0")

    (installed.outside / "valid.json").write_text(json.dumps(VALID_INPUT))
    (installed.outside / "invalid.json").write_text(json.dumps(INVALID_INPUT))
    planned = installed.run(cutover, "plan", "--input", "valid.json")  # offline: no cdk.json here
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "25 %" in planned.stdout and "Traceback" not in planned.stderr
    as_json = installed.run(cutover, "plan", "--input", "valid.json", "-o", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["kind"] == "plan"
    refused = installed.run(cutover, "plan", "--input", "invalid.json")
    assert refused.returncode == 2
    assert _one_error_line(refused).startswith("cutover: strategy")

    for name, arguments in COMMANDS.items():
        no_region = installed.run(cutover, *arguments)
        assert no_region.returncode == NO_CREDENTIALS, (name, no_region.stdout + no_region.stderr)
        assert _one_error_line(no_region).startswith("cutover: "), name
        no_credentials = installed.run(cutover, *arguments, "--region", "eu-west-1")
        assert no_credentials.returncode == NO_CREDENTIALS, (name, no_credentials.stdout + no_credentials.stderr)
        assert _one_error_line(no_credentials).startswith("cutover: "), name
    everything = installed.run(cutover, "status", "--all", "--region", "eu-west-1")
    assert everything.returncode == NO_CREDENTIALS and _one_error_line(everything).startswith("cutover: ")
