"""Every shell command in README.md and docs/sandbox.md runs here and succeeds, or NOT_RUN_HERE
says why it cannot and which test covers it instead: the documents cannot drift from the code.

A command is a line of a ```bash, ```sh or ```console block (in a console block, a line after
`$ `), with `\\` continuation lines joined and `# comments` dropped. The ones run here run from
the repository root with the project's virtualenv first on PATH and no way to reach AWS (no
credentials, no profile, the endpoint a closed local port), so a command that would need an
AWS account fails here instead of reaching one.

Most run one by one, each on its own. The sandbox's commands run in the order a person types
them, against one sandbox that `make sandbox` starts (RUN_BY_A_TEST_HERE names the test; at most
SESSION_SECONDS, 15 minutes); `make install` runs in a test of its own, which first checks it has
nothing to do.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.local.synth_local import synth_local_assembly
from tests.local.test_sandbox import MARKER, Sandbox, processes_marked, wait_for_bake
from tests.synth import ROOT

DOCUMENTS = ("README.md", "docs/sandbox.md")
SHELL_LANGUAGES = {"bash", "sh", "console"}
SECONDS_PER_COMMAND = 60  # a hang's limit: all of them take ~10 s (a first jsii start-up ~25 s)
THIS_FILE = Path(__file__).resolve().relative_to(ROOT)


@dataclass(frozen=True)
class NotRunHere:
    reason: str
    covered_by: str  # "tests/….py" or "tests/….py::test_name"


NEEDS_AWS = "needs an AWS account"
BY_THE_ISSUE = "runs the suite itself (issue 19 leaves it out)"

NOT_RUN_HERE: dict[str, NotRunHere] = {
    # the two commands, and the other make targets
    "make demo": NotRunHere(
        "about a minute of deployments on local AWS: `make demo` is `make synth-local` (run here by `make "
        "sandbox`) then `python -m cutover.local.demo`, which test_demo runs on the same template "
        "(assert_test_demo_runs_what_make_demo_runs, in the sandbox session, checks both)",
        "tests/local/test_demo.py::test_demo_runs_its_scenarios_to_the_expected_outcomes_without_failed_requests",
    ),
    "make test": NotRunHere(BY_THE_ISSUE, "tests/conftest.py"),
    "make test-fast": NotRunHere(
        "a subset of `make test` (its unit and infra tiers, about 90 s on 2 cores): run from the suite it "
        "would run those tiers a second time inside `make test`; test_make_test_fast_selects_the_unit_and_"
        "infra_tiers collects what it runs",
        "tests/conftest.py",
    ),
    # the CLI against a stack
    # the CLI against a stack
    "cutover plan --input deploy.json": NotRunHere(
        "reads a file you write; the stdin form next to it runs here",
        "tests/cli/test_cli.py::test_plan_prints_the_normalized_plan_offline",
    ),
    "cutover deploy 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2 --strategy canary --bake 5m": NotRunHere(
        NEEDS_AWS, "tests/cli/test_cli.py::test_deploy_and_watch_to_success"
    ),
    'cutover deploy …/app:v3 --steps 10,50:pause,100 --bake 10m --reason "new checkout"': NotRunHere(
        NEEDS_AWS + " (and the image's registry)", "tests/workflow/test_deploy.py"
    ),
    "cutover deploy …/app:v4 --skip-hooks on_step,on_rollback": NotRunHere(
        NEEDS_AWS + " (and the image's registry)", "tests/cli/test_hook_switches.py"
    ),
    "cutover deploy …/app:v5 --judge dry-run": NotRunHere(
        NEEDS_AWS + " (and the image's registry)", "tests/unit/test_cli_deploy_judge.py"
    ),
    "cutover watch": NotRunHere(
        NEEDS_AWS, "tests/cli/test_cli_json.py::test_deploy_no_watch_json_then_watch_json_follows_it_to_the_end"
    ),
    "cutover promote | cutover abort": NotRunHere(
        NEEDS_AWS + " (either command, during a deployment)",
        "tests/cli/test_cli.py::test_manual_actions_answer_clearly",
    ),
    "cutover switch blue [--force]": NotRunHere(NEEDS_AWS, "tests/cli/test_cli.py::test_manual_actions_answer_clearly"),
    "cutover rollback": NotRunHere(NEEDS_AWS, "tests/cli/test_cli.py::test_manual_actions_answer_clearly"),
    "cutover repair": NotRunHere(NEEDS_AWS, "tests/cli/test_cli.py::test_manual_actions_answer_clearly"),
    "cutover preflight && npx cdk deploy": NotRunHere(NEEDS_AWS, "tests/cli/test_preflight.py"),
    'cutover deploy "$IMAGE" --watch --output json > result.json': NotRunHere(
        NEEDS_AWS, "tests/cli/test_cli_json.py::test_deploy_watch_json_reports_success_and_history_json_records_it"
    ),
    "jq -r '.status, .rolled_back, .cause' result.json": NotRunHere(
        "reads the deploy's result above",
        "tests/cli/test_cli_json.py::test_deploy_watch_json_reports_a_rollback_with_its_trigger_and_exit_1",
    ),
    "cutover status --all --output json": NotRunHere(
        NEEDS_AWS, "tests/cli/test_status_all.py::test_status_all_json_tells_each_stacks_own_live_side"
    ),
    "cutover --install-completion": NotRunHere(
        "writes to your shell's start-up file",
        "tests/cli/test_connection.py::test_shell_completion_completes_command_names",
    ),
    # deploying to AWS
    "npx cdk bootstrap": NotRunHere(NEEDS_AWS + " (CDK's own bootstrap stack)", "tests/infra/test_synth_offline.py"),
    "npx cdk deploy -c region=eu-west-1": NotRunHere(NEEDS_AWS, "tests/local/test_local_template.py"),
    (
        "npx cdk deploy -c image=123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1 -c container_port=8080"
        " -c health_check_path=/health"
    ): NotRunHere(NEEDS_AWS, "tests/infra/test_variants.py"),
    (
        "npx cdk deploy -c service_name=shop -c image=123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v1"
        " -c container_port=8080 -c health_check_path=/health"
    ): NotRunHere(NEEDS_AWS, "tests/infra/test_variants.py"),
    (
        "aws stepfunctions start-execution --state-machine-arn <StateMachineArn> --name deploy-v2 --input"
        ' \'{"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2", "strategy": "canary",'
        ' "reason": "ship v2"}\''
    ): NotRunHere(NEEDS_AWS, "tests/workflow/test_deploy.py"),
    'npx cdk deploy --all -c pipeline=\'{"repository": "app", "tag": "v1"}\'': NotRunHere(
        NEEDS_AWS, "tests/infra/test_pipeline.py"
    ),
    (
        "TOKEN=$(aws secretsmanager get-secret-value --secret-id <TestTokenSecretArn> --query SecretString"
        " --output text)"
    ): NotRunHere(NEEDS_AWS, "tests/local/test_local_template.py"),
    'curl -H "X-Canary-Version: green" -H "X-Cutover-Test-Token: $TOKEN" http://<AlbDnsName>/': NotRunHere(
        NEEDS_AWS + " (the ALB)", "tests/local/test_router.py"
    ),
}


@dataclass(frozen=True)
class DocumentedCommand:
    document: str
    line: int
    text: str  # as the shell gets it: continuation lines joined, the comment dropped

    @property
    def key(self) -> str:
        return " ".join(self.text.split())


def without_comment(line: str) -> str:
    """The line up to a `#` that starts a shell comment (outside quotes, at a word's start)."""
    quote = ""
    for index, character in enumerate(line):
        if quote:
            quote = "" if character == quote else quote
        elif character in "'\"":
            quote = character
        elif character == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip()
    return line.rstrip()


def shell_commands(document: str, text: str) -> list[DocumentedCommand]:
    found: list[DocumentedCommand] = []
    language: str | None = None  # None: outside a fenced block
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        fence = re.fullmatch(r"\s*```\s*(\w*).*", line)
        if fence:
            language = fence.group(1).lower() if language is None else None
            pending = ""
            continue
        if language not in SHELL_LANGUAGES:
            continue
        if language == "console" and not pending:
            if not line.startswith("$ "):
                continue  # the command's output
            line = line[2:]
        if not pending:
            start = number
        code = without_comment(line)
        if code.endswith("\\"):
            pending += code[:-1].strip() + " "
            continue
        command = (pending + code.strip()).strip()
        pending = ""
        if command:
            found.append(DocumentedCommand(document, start, command))
    return found


def documented_commands() -> list[DocumentedCommand]:
    return [found for name in DOCUMENTS for found in shell_commands(name, (ROOT / name).read_text())]


def offline_environment() -> dict[str, str]:
    """This shell's environment without anything that reaches AWS or leaks a parent `make`. HOME
    stays: jsii (which `cutover plan` loads through the CDK config) unpacks itself into ~/.cache,
    about 20 s in an empty home."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "CUTOVER_")) and name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    }
    return {
        **kept,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{kept.get('PATH', '')}",  # the project's .venv/bin
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # the discard port: refused at once
    }


def run_in_shell(
    command: str, environment: dict[str, str], cwd: Path = ROOT, timeout: float = SECONDS_PER_COMMAND
) -> tuple[int | None, str]:
    """Exit code (None on timeout) and output; on timeout every process it started is killed."""
    process = subprocess.Popen(
        ["bash", "-c", f"set -o pipefail\n{command}"],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output
    return process.returncode, output


SANDBOX_SESSION = "test_the_sandbox_commands_run_as_documented_against_one_sandbox"
PRODUCTION_CURL = "curl -s http://127.0.0.1:<router port>/health"
TEST_ROUTE_CURL = (
    "curl -s -H 'X-Canary-Version: green' -H 'X-Cutover-Test-Token: <token>' http://127.0.0.1:<router port>/health"
)
# Commands a test in this file runs in its own way: the sandbox's, in a person's order against one
# sandbox; `make install`, once checked to have nothing to install.
RUN_BY_A_TEST_HERE: dict[str, str] = {
    "make sandbox": SANDBOX_SESSION,
    'make sandbox SANDBOX_ARGS="--time-scale 0.1"': SANDBOX_SESSION,
    "source .sandbox/env.sh": SANDBOX_SESSION,
    "cutover status": SANDBOX_SESSION,
    "cutover deploy 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v2 --bake 1m --watch": SANDBOX_SESSION,
    "cutover deploy 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v3 --bake 10m --watch": SANDBOX_SESSION,
    "cutover-local alarm cutover-demo-green-5xx": SANDBOX_SESSION,
    "cutover-local alarm cutover-demo-blue-5xx": SANDBOX_SESSION,
    "cutover-local alarm --all --state OK": SANDBOX_SESSION,
    PRODUCTION_CURL: SANDBOX_SESSION,
    TEST_ROUTE_CURL: SANDBOX_SESSION,
    "cutover history": SANDBOX_SESSION,
    "cutover-local stop": SANDBOX_SESSION,
    "make install": "test_make_install_has_nothing_to_do_once_installed",
}


COMMANDS = documented_commands()
RUN_HERE = [found for found in COMMANDS if found.key not in NOT_RUN_HERE and found.key not in RUN_BY_A_TEST_HERE]


@pytest.mark.parametrize("documented", RUN_HERE, ids=[f"{c.document}:{c.line}" for c in RUN_HERE])
def test_each_command_that_needs_no_aws_account_runs_and_succeeds(documented: DocumentedCommand) -> None:
    code, output = run_in_shell(documented.text, offline_environment())
    what = f"timed out after {SECONDS_PER_COMMAND} s" if code is None else f"exited {code}"
    assert code == 0, (
        f"{documented.document}:{documented.line}: `{documented.key}` {what} here (offline, no AWS account, "
        f"from the repository root).\nIf it is wrong, fix the document. If it needs an AWS account, a running "
        f"sandbox or a long time, add it to NOT_RUN_HERE in {THIS_FILE} with the reason and the test that "
        f"covers it.\n--- output ---\n{output[-2000:]}"
    )


def test_some_commands_run_here_and_the_rest_are_accounted_for() -> None:
    keys = {found.key for found in COMMANDS}
    assert {"make help", "cutover --version", "make sandbox"} <= keys, "the extraction misses known commands"
    assert RUN_HERE


def test_every_command_not_run_here_or_run_by_a_test_of_its_own_is_still_documented() -> None:
    documented = {found.key for found in COMMANDS}
    stale = sorted((set(NOT_RUN_HERE) | set(RUN_BY_A_TEST_HERE)) - documented)
    assert not stale, f"{THIS_FILE} lists commands no longer in {', '.join(DOCUMENTS)}: {stale}"
    assert not set(NOT_RUN_HERE) & set(RUN_BY_A_TEST_HERE)


@pytest.mark.parametrize("command", sorted(RUN_BY_A_TEST_HERE))
def test_the_test_running_a_command_in_its_own_way_exists(command: str) -> None:
    name = RUN_BY_A_TEST_HERE[command]
    assert re.search(rf"^def {re.escape(name)}\(", Path(__file__).read_text(), flags=re.MULTILINE), name


@pytest.mark.parametrize("command", sorted(NOT_RUN_HERE))
def test_the_test_covering_a_command_not_run_here_exists(command: str) -> None:
    path, _, name = NOT_RUN_HERE[command].covered_by.partition("::")
    source = ROOT / path
    assert source.is_file(), f"`{command}`: {path} does not exist"
    assert not name or re.search(rf"^def {re.escape(name)}\(", source.read_text(), flags=re.MULTILINE), (
        f"`{command}`: {path} has no test {name}"
    )


def test_commands_are_read_joined_without_comments_and_console_output_is_not_a_command() -> None:
    text = "\n".join(
        [
            "```bash",
            "cutover status   # live side",
            "npx cdk deploy -c a=1 \\",
            "               -c b='#2'",
            "```",
            "```python",
            "print('not shell')",
            "```",
            "```console",
            "$ make help",
            "help            list the targets",
            "```",
        ]
    )
    assert [(c.line, c.text) for c in shell_commands("x.md", text)] == [
        (2, "cutover status"),
        (3, "npx cdk deploy -c a=1 -c b='#2'"),
        (10, "make help"),
    ]


def without_code(text: str) -> str:
    return re.sub(r"^\s*```.*?^\s*```", "", text, flags=re.MULTILINE | re.DOTALL)


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", without_code(markdown), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_link_to_a_file_or_heading_in_the_repository_resolves(name: str) -> None:
    document = ROOT / name
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", without_code(document.read_text())):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text())):
            broken.append(target)
    assert not broken, f"{name}: links to nothing: {broken}"


def test_the_first_screen_shows_the_two_commands_then_the_sandbox_then_your_own_cdk_app() -> None:
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:55])
    parts = ["make demo", "make test", "## Try it by hand", "make sandbox", "## Use it in your own CDK app"]
    positions = [first_screen.find(part) for part in parts]
    assert -1 not in positions and positions == sorted(positions), dict(zip(parts, positions, strict=True))


# ------------------------------------------------------------------ run by tests of their own
def make_has_nothing_to_install() -> tuple[bool, str]:
    """`make --question install`: whether the virtualenv and node_modules are newer than what they
    are installed from. A `make` target that needs `install` would otherwise install, for
    minutes, inside the test (`make test` installs first)."""
    code, output = run_in_shell("make --question install", offline_environment())
    return code == 0, output


INSTALL_FIRST = "the virtualenv or node_modules is older than what it is installed from: run `make install` first"


def documented(key: str) -> str:
    """The command as the documents write it (the same text wherever it appears)."""
    (text,) = {found.text for found in COMMANDS if found.key == key}
    return text


def test_make_install_has_nothing_to_do_once_installed() -> None:
    installed, output = make_has_nothing_to_install()
    assert installed, f"{INSTALL_FIRST}\n{output}"
    code, output = run_in_shell(documented("make install"), offline_environment())
    assert code == 0, output
    assert "pip install" not in output and "npm install" not in output, output  # idempotent, as its help says
    assert make_has_nothing_to_install()[0]


COLLECT_SECONDS = 240  # importing the unit and infra test modules: ~10 s of CPU on an idle machine


def test_make_test_fast_selects_the_unit_and_infra_tiers() -> None:
    """`make test-fast` is not run here (NOT_RUN_HERE says why); what it would run is collected."""
    code, recipe = run_in_shell("make --dry-run --no-print-directory test-fast", offline_environment())
    assert code == 0, recipe
    pytest_line = recipe.strip().splitlines()[-1]
    assert pytest_line.startswith(".venv/bin/pytest ") and '-m "unit or infra"' in pytest_line, recipe
    words = shlex.split(pytest_line)
    for option in ("-n", "--dist"):  # the workers change how it runs, not what it selects
        at = words.index(option)
        del words[at : at + 2]
    collected = subprocess.run(
        [*words, "--collect-only"],  # with the recipe's -q: one line per test
        cwd=ROOT,
        env=offline_environment(),
        capture_output=True,
        text=True,
        timeout=COLLECT_SECONDS,
        check=False,
    )
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    tests = [line for line in collected.stdout.splitlines() if "::" in line]
    assert {test.split("/")[1] for test in tests} == {"unit", "infra"}, collected.stdout[-3000:]


# ------------------------------------------------------------------ the sandbox, as a person uses it
# `make sandbox` passes SANDBOX_ARGS, which make also reads from the environment: the session's
# sandbox runs 100x faster than AWS (as test_sandbox's), so a `--bake 10m` leaves 6 s to set the alarm
# in (the alarm command takes under a second) and the `--bake 1m` deployment's 900 s final wait is 9 s.
SESSION_ARGS = "--time-scale 0.01"
SANDBOX_START_SECONDS = 300  # `make synth-local` (cdk synth, ~1 min on 2 busy cores), then the start (~20 s)
# The session's bound: two sandboxes (each `make synth-local` then a start), four deployments,
# each command bounded by COMMAND_SECONDS. It took 458 s at a load average of 16 on 2 cores.
SESSION_SECONDS = 900
COMMAND_SECONDS = 180  # a deployment with --watch, at the session's pace
ROLLBACKS = 2


@dataclass(frozen=True)
class Person:
    """A second terminal: its working directory holds the repository's .venv and the sandbox's
    .sandbox (CUTOVER_SANDBOX_DIR, so a sandbox a developer runs in the checkout is left alone)."""

    home: Path
    environment: dict[str, str]
    run_id: str  # the marker every process a sandbox of this session starts inherits

    @property
    def runtime_dir(self) -> Path:
        return self.home / ".sandbox"

    def shell(self, command: str, timeout: float = COMMAND_SECONDS) -> tuple[int | None, str]:
        """The command after the two documented lines that set up the terminal."""
        setup = f"{documented('source .venv/bin/activate')}\n{documented('source .sandbox/env.sh')}"
        return run_in_shell(f"{setup}\n{command}", self.environment, cwd=self.home, timeout=timeout)

    def start_sandbox(self, key: str, environment: dict[str, str] | None = None) -> Sandbox:
        """The documented `make sandbox …` line, from the repository, as a shell's foreground job."""
        started = {**self.environment, MARKER: self.run_id, "PYTHONUNBUFFERED": "1", **(environment or {})}
        return Sandbox(["bash", "-c", documented(key)], started, self.runtime_dir, own_process_group=True)


@pytest.fixture(scope="module")
def person(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Person]:
    installed, output = make_has_nothing_to_install()
    assert installed, f"{INSTALL_FIRST}\n{output}"
    home = tmp_path_factory.mktemp("terminal")
    (home / ".venv").symlink_to(ROOT / ".venv")
    environment = {**offline_environment(), "CUTOVER_SANDBOX_DIR": str(home / ".sandbox"), "COLUMNS": "200"}
    run_id = uuid.uuid4().hex
    yield Person(home, environment, run_id)
    for pid in processes_marked(run_id):  # only after a failure: this session's own processes
        os.kill(pid, signal.SIGKILL)


def placeholders(sandbox: Sandbox) -> dict[str, str]:
    """What a person fills into `<router port>` and `<token>`: the sandbox prints both."""
    port = urlsplit(sandbox.state()["router_url"]).port
    token = re.search(r"X-Cutover-Test-Token: ([^'\s]+)'", sandbox.output)
    assert port and token, sandbox.output
    return {"<router port>": str(port), "<token>": token.group(1)}


def rolls_back_on_the_alarm(person: Person, sandbox: Sandbox, deploy: str, alarm: str, side: str) -> None:
    """The documented deploy with a long bake; while it bakes on `side`, the documented alarm."""
    baking = subprocess.Popen(
        ["bash", "-c", f"{documented('source .venv/bin/activate')}\n{documented('source .sandbox/env.sh')}\n{deploy}"],
        cwd=person.home,
        env=person.environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert wait_for_bake({**person.environment, **sandbox.exports()}) == side, "the documents name this side"
        code, output = person.shell(alarm)
        assert code == 0, output
        watched, _ = baking.communicate(timeout=COMMAND_SECONDS)
    finally:
        if baking.poll() is None:
            os.killpg(baking.pid, signal.SIGKILL)
            baking.communicate()
    assert baking.returncode == 1 and "AlarmFired" in watched, watched[-3000:]


STACK_TEMPLATE = "cutover-demo.template.json"


def comparable(template: dict[str, Any]) -> dict[str, Any]:
    """The template without what only says how it was synthesized: the CDK CLI's metadata
    (construct paths, asset paths, the version-reporting resource), not what CloudFormation creates."""
    resources = {
        name: {key: value for key, value in resource.items() if key != "Metadata"}
        for name, resource in template["Resources"].items()
        if resource["Type"] != "AWS::CDK::Metadata"
    }
    conditions = {
        name: value for name, value in template.get("Conditions", {}).items() if name != "CDKMetadataAvailable"
    }
    return {**template, "Resources": resources, "Conditions": conditions}


def assert_test_demo_runs_what_make_demo_runs() -> None:
    """`make demo` is `make synth-local` (which wrote cdk.out.local just now, for `make sandbox`),
    then `$(PYTHON) -m cutover.local.demo`, which reads cdk.out.local. test_demo runs that same
    module on synth_local_assembly(): the same stack, checked here template against template."""
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo: synth-local .*\n\t\$\(PYTHON\) -m cutover\.local\.demo\n", makefile, flags=re.MULTILINE)
    assert re.search(r"^sandbox: synth-local ", makefile, flags=re.MULTILINE)
    test_demo = (ROOT / "tests" / "local" / "test_demo.py").read_text()
    assert '[sys.executable, "-m", "cutover.local.demo"]' in test_demo and "synth_local_assembly()" in test_demo
    written = json.loads((ROOT / "cdk.out.local" / STACK_TEMPLATE).read_text())
    tested = json.loads((synth_local_assembly() / STACK_TEMPLATE).read_text())
    assert comparable(written) == comparable(tested)


@pytest.mark.serial  # the alarm must land in a bake's window: not beside another worker
@pytest.mark.timeout(SESSION_SECONDS)
def test_the_sandbox_commands_run_as_documented_against_one_sandbox(person: Person) -> None:
    ran: list[str] = []

    def run(key: str, fill: dict[str, str] | None = None) -> str:
        command = documented(key)
        for placeholder, value in (fill or {}).items():
            command = command.replace(placeholder, value)
        code, output = person.shell(command)
        ran.append(key)
        assert code == 0, f"`{command}` exited {code}:\n{output[-3000:]}"
        return output

    sandbox = person.start_sandbox("make sandbox", {"SANDBOX_ARGS": SESSION_ARGS})
    try:
        assert sandbox.ready.wait(SANDBOX_START_SECONDS), sandbox.output[-5000:]
        ran.append("make sandbox")
        assert_test_demo_runs_what_make_demo_runs()
        run("source .sandbox/env.sh")
        assert person.shell("printenv CUTOVER_ENDPOINT_URL")[1].strip() == sandbox.state()["endpoint_url"]
        assert "blue" in run("cutover status")

        v3 = "cutover deploy 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v3 --bake 10m --watch"
        rolls_back_on_the_alarm(
            person, sandbox, documented(v3), documented("cutover-local alarm cutover-demo-green-5xx"), "green"
        )
        ran += [v3, "cutover-local alarm cutover-demo-green-5xx"]
        assert run("cutover-local alarm --all --state OK").count("-> OK") >= 2

        run("cutover deploy 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v2 --bake 1m --watch")
        fill = placeholders(sandbox)
        for key in (PRODUCTION_CURL, TEST_ROUTE_CURL):  # filled in, each is a line the sandbox printed
            filled = documented(key)
            for placeholder, value in fill.items():
                filled = filled.replace(placeholder, value)
            assert filled in sandbox.output, filled
        assert json.loads(run(PRODUCTION_CURL, fill))["version"] == "v2"
        answer = json.loads(run(TEST_ROUTE_CURL, fill))
        assert (answer["side"], answer["version"]) == ("green", "v2")

        rolls_back_on_the_alarm(
            person, sandbox, documented(v3), documented("cutover-local alarm cutover-demo-blue-5xx"), "blue"
        )
        ran.append("cutover-local alarm cutover-demo-blue-5xx")
        run("cutover-local alarm --all --state OK")
        history = run("cutover history")
        assert history.count("ROLLED_BACK") == ROLLBACKS and "SUCCEEDED" in history, history

        run("cutover-local stop")
        assert sandbox.process.wait(60) == 0, sandbox.output[-5000:]
    finally:
        sandbox.close()
    assert processes_marked(person.run_id) == []
    assert not (person.runtime_dir / "sandbox.json").exists()

    # The other documented start, at 0.1, ended as the README says it may be: Ctrl-C in its terminal.
    faster = 'make sandbox SANDBOX_ARGS="--time-scale 0.1"'
    sandbox = person.start_sandbox(faster)
    try:
        assert sandbox.ready.wait(SANDBOX_START_SECONDS), sandbox.output[-5000:]
        ran.append(faster)
        assert "10x faster than AWS" in sandbox.output
        os.killpg(sandbox.process.pid, signal.SIGINT)  # a terminal's Ctrl-C: its foreground job's whole group
        sandbox.process.wait(60)
    finally:
        sandbox.close()
    assert "Sandbox stopped" in sandbox.output and "Traceback" not in sandbox.output, sandbox.output[-5000:]
    assert processes_marked(person.run_id) == []

    session = {key for key, test in RUN_BY_A_TEST_HERE.items() if test == SANDBOX_SESSION}
    assert set(ran) == session, session ^ set(ran)
