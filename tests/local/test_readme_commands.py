"""Every shell command in README.md and docs/sandbox.md runs here and succeeds, or NOT_RUN_HERE
says why it cannot and which test covers it instead: the documents cannot drift from the code.

A command is a line of a ```bash, ```sh or ```console block (in a console block, a line after
`$ `), with `\\` continuation lines joined and `# comments` dropped. The ones run here run from
the repository root with the project's virtualenv first on PATH and no way to reach AWS (no
credentials, no profile, the endpoint a closed local port), so a command that would need an
AWS account fails here instead of reaching one.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

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
NEEDS_SANDBOX = "needs a running sandbox (make sandbox) and its environment"
BY_THE_ISSUE = "runs the suite itself (issue 19 leaves it out)"

NOT_RUN_HERE: dict[str, NotRunHere] = {
    # the two commands, and the other make targets
    "make demo": NotRunHere("about a minute of deployments on local AWS", "tests/local/test_demo.py"),
    "make test": NotRunHere(BY_THE_ISSUE, "tests/conftest.py"),
    "make test-fast": NotRunHere(BY_THE_ISSUE + ": the unit and infra tiers", "tests/conftest.py"),
    "make install": NotRunHere(
        "installs the dependencies (minutes on a fresh clone); every test runs in what it installed",
        "tests/conftest.py",
    ),
    # the sandbox
    "make sandbox": NotRunHere("stays up until stopped", "tests/local/test_sandbox.py"),
    'make sandbox SANDBOX_ARGS="--time-scale 0.1"': NotRunHere(
        "stays up until stopped; the test runs it at 0.01", "tests/local/test_sandbox.py"
    ),
    "source .sandbox/env.sh": NotRunHere(NEEDS_SANDBOX, "tests/local/test_sandbox.py"),
    "cutover status": NotRunHere(
        NEEDS_SANDBOX + ", or AWS", "tests/cli/test_cli.py::test_status_shows_the_live_side_and_each_sides_tasks"
    ),
    "cutover deploy 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v2 --bake 1m --watch": NotRunHere(
        NEEDS_SANDBOX, "tests/local/test_sandbox.py"
    ),
    "cutover deploy 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v3 --bake 10m --watch": NotRunHere(
        NEEDS_SANDBOX, "tests/local/test_sandbox.py"
    ),
    "cutover-local alarm cutover-demo-green-5xx": NotRunHere(NEEDS_SANDBOX, "tests/local/test_sandbox.py"),
    "cutover-local alarm cutover-demo-blue-5xx": NotRunHere(NEEDS_SANDBOX, "tests/local/test_sandbox.py"),
    "cutover-local alarm --all --state OK": NotRunHere(NEEDS_SANDBOX, "tests/local/test_sandbox.py"),
    "cutover-local stop": NotRunHere(NEEDS_SANDBOX, "tests/local/test_sandbox.py"),
    "curl -s http://127.0.0.1:<router port>/health": NotRunHere(
        NEEDS_SANDBOX + " (its router's port)", "tests/local/test_router.py"
    ),
    "curl -s -H 'X-Canary-Version: green' -H 'X-Cutover-Test-Token: <token>' http://127.0.0.1:<router port>/health": (
        NotRunHere(NEEDS_SANDBOX + " (its router's port and token)", "tests/local/test_router.py")
    ),
    "cutover history": NotRunHere(
        NEEDS_SANDBOX + ", or AWS",
        "tests/cli/test_cli_json.py::test_deploy_watch_json_reports_success_and_history_json_records_it",
    ),
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


def run_in_shell(command: str, environment: dict[str, str]) -> tuple[int | None, str]:
    """Exit code (None on timeout) and output; on timeout every process it started is killed."""
    process = subprocess.Popen(
        ["bash", "-c", f"set -o pipefail\n{command}"],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=SECONDS_PER_COMMAND)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output
    return process.returncode, output


COMMANDS = documented_commands()
RUN_HERE = [found for found in COMMANDS if found.key not in NOT_RUN_HERE]


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


def test_every_command_not_run_here_is_still_documented() -> None:
    documented = {found.key for found in COMMANDS}
    stale = sorted(set(NOT_RUN_HERE) - documented)
    assert not stale, f"NOT_RUN_HERE in {THIS_FILE} lists commands no longer in {', '.join(DOCUMENTS)}: {stale}"


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
