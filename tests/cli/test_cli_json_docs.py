"""docs/cli.md's field tables (JSON schema 1) are what `--output json` writes: each documented
field is in every document of its kind, with its documented type, and each field a document
holds is documented. The documents come from the CLI against local AWS, as in test_cli_json.py.

Fields are compared where the tables list them: inside an object or a list's items only when the
tables list that object's own fields (`sides[].desired`), so `input`, `weights`, `verdict` and
`output` are checked as a whole (their contents are the state machine's input, the listener's
weights, the judge's note and the execution's output, each documented in prose).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cutover.cli.main import app
from cutover.local.runtime import LocalCutover
from tests.cli.test_cli import cdk_json_granting
from tests.cli.test_cli_json import IMAGE_V2, document_of
from tests.synth import ROOT
from tests.workflow.conftest import wait_for_lock

CLI_DOC = ROOT / "docs" / "cli.md"
ENVELOPE = {"schema_version", "kind"}  # documented in the prose above the tables
PYTHON_TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool, "object": dict, "list": list}
FAST = ["--interval", "0.05", "--timeout", "2m"]
runner = CliRunner()


@dataclass(frozen=True)
class Field:
    path: str  # `steps[].weight`: the key `weight` of each item of the list `steps`
    type: str  # as the table writes it: `str`, `int?`, `list of str`, …
    optional: bool = False  # its meaning starts "only with …": present in some documents only

    @property
    def key_path(self) -> str:
        return self.path.removesuffix("[]")


def _fields_of_row(names_cell: str, type_cell: str, meaning_cell: str) -> list[Field]:
    """`deployment.execution_arn`, `execution_name` names two fields of `deployment`; a list
    whose items the meaning spells as `{method: str, …}` names those item fields too."""
    names = re.findall(r"`([^`]+)`", names_cell)
    kind, optional = type_cell.strip(), meaning_cell.startswith("only ")
    prefix = names[0][: names[0].rfind(".") + 1]
    fields = [Field(name if name == names[0] else prefix + name, kind, optional) for name in names]
    items = re.match(r"\s*`\{([^}]*)\}`", meaning_cell)
    if names[0].endswith("[]") and items:
        for item in items.group(1).split(","):
            key, _, item_type = item.partition(":")
            fields.append(Field(f"{names[0]}.{key.strip()}", item_type.strip()))
    return fields


def documented_tables(kind: str) -> list[list[Field]]:
    """The field tables under docs/cli.md's heading for `kind: "<kind>"`, in order."""
    text = CLI_DOC.read_text()
    heading = re.search(rf'^### `kind: "{re.escape(kind)}"`.*$', text, flags=re.MULTILINE)
    assert heading, f'docs/cli.md has no section for kind "{kind}"'
    section = re.split(r"^##", text[heading.end() :], maxsplit=1, flags=re.MULTILINE)[0]
    tables: list[list[Field]] = []
    current: list[Field] | None = None
    for line in section.splitlines():
        if not line.startswith("|"):
            current = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "field" or set(cells[0]) <= {"-", ":"}:
            if current is None:
                current = []
                tables.append(current)
            continue
        assert current is not None and len(cells) == 3, f"docs/cli.md, {kind}: not a field row: {line}"
        current.extend(_fields_of_row(*cells))
    assert tables, f'docs/cli.md documents no field of kind "{kind}"'
    return tables


def has_type(value: Any, documented: str) -> bool:
    if documented.endswith("?"):
        if value is None:
            return True
        documented = documented[:-1]
    base, _, items = documented.partition(" of ")
    assert base in PYTHON_TYPES and (not items or items in PYTHON_TYPES), f"docs/cli.md: unknown type {documented}"
    python = PYTHON_TYPES[base]
    if isinstance(value, bool) and python is not bool:
        return False
    if not isinstance(value, python):
        return False
    return not items or (isinstance(value, list) and all(has_type(item, items) for item in value))


def _tokens(key_path: str) -> list[str]:
    return [token for part in key_path.split(".") for token in ([part[:-2], "[]"] if part.endswith("[]") else [part])]


def containers(document: dict[str, Any], field: Field) -> Iterator[dict[str, Any]]:
    """Each object that should hold the field: the document, or each non-null parent object."""
    *parents, _ = _tokens(field.key_path)
    nodes: list[Any] = [document]
    for token in parents:
        if token == "[]":
            nodes = [item for node in nodes for item in node]
        else:
            nodes = [node[token] for node in nodes if node.get(token) is not None]
    yield from nodes


def undocumented(document: dict[str, Any], documented: set[str], prefix: str = "") -> set[str]:
    """The paths of fields the document holds that the tables do not name."""
    found = set()
    for key, value in document.items():
        path = prefix + key
        if not prefix and key in ENVELOPE:
            continue
        has_fields = any(name.startswith(path + ".") for name in documented)  # `error`, by `error.code`
        has_items = any(name.startswith(path + "[].") for name in documented)
        if path not in documented and not has_fields and not has_items:
            found.add(path)
        if isinstance(value, dict) and has_fields:
            found |= undocumented(value, documented, path + ".")
        if isinstance(value, list) and has_items:
            for item in value:
                found |= undocumented(item, documented, path + "[].")
    return found


def check_against_the_docs(kind: str, documents: list[dict[str, Any]], fields: list[Field]) -> None:
    """Every field in each document that can hold it, typed as documented; nothing undocumented;
    and each documented field seen at least once (a null parent or an empty list proves nothing)."""
    assert documents and all(document["kind"] == kind for document in documents)
    documented = {field.key_path for field in fields}
    unseen = set(documented)
    for document in documents:
        for field in fields:
            key = _tokens(field.key_path)[-1]
            for container in containers(document, field):
                if field.optional and key not in container:
                    continue
                assert key in container, f"docs/cli.md: {kind} field {field.path} missing from {document}"
                assert has_type(container[key], field.type), (
                    f"docs/cli.md: {kind} field {field.path} is documented as {field.type}, "
                    f"the CLI wrote {container[key]!r}"
                )
                unseen.discard(field.key_path)
        extra = undocumented(document, documented)
        assert not extra, f"docs/cli.md does not document the {kind} fields {sorted(extra)} of {document}"
    assert not unseen, f"no {kind} document here showed {sorted(unseen)}: the test cannot check them"


def test_the_field_tables_are_read_with_their_types() -> None:
    (general, deploy_only) = documented_tables("plan")
    assert [field.path for field in general] == ["valid", "action", "input"]
    deploy_fields = {field.path: field.type for field in deploy_only}
    assert deploy_fields["steps[].weight"] == "int" and deploy_fields["smoke_tests[].expect_status"] == "int"
    (status,) = documented_tables("status")
    status_fields = {field.path: field.type for field in status}
    assert status_fields["sides[].healthy"] == "int" and status_fields["deployment.execution_name"] == "str"
    assert status_fields["live_side"] == "str?" and status_fields["sides[].alarms_firing"] == "list of str"
    assert has_type(None, "str?") and not has_type(1, "str") and not has_type(True, "int")
    assert not has_type(["a", 1], "list of str")


def test_plan_documents_hold_the_documented_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cdk_json_granting(tmp_path, ["app"])
    monkeypatch.chdir(tmp_path)
    request = {
        "image": IMAGE_V2,
        "strategy": {"steps": [{"weight": 10, "bake_seconds": 60}, {"weight": 50, "pause": True}, {"weight": 100}]},
        "smoke_tests": [{"path": "/health"}],
        "reason": "docs check",
    }
    deploy = runner.invoke(app, ["plan", "-i", "-", "-o", "json"], input=json.dumps(request))
    assert deploy.exit_code == 0, deploy.output
    switch = runner.invoke(app, ["plan", "-i", "-", "-o", "json"], input='{"action": "switch", "to": "green"}')
    assert switch.exit_code == 0, switch.output
    general, deploy_only = documented_tables("plan")
    check_against_the_docs("plan", [document_of(deploy)], general + deploy_only)
    check_against_the_docs("plan", [document_of(switch)], general)  # "For action: deploy only"


def test_status_history_execution_and_error_documents_hold_the_documented_fields(cutover: LocalCutover) -> None:
    invalid = runner.invoke(app, ["plan", "-i", "-", "-o", "json"], input='{"image": ""}')
    assert invalid.exit_code == 2, invalid.output
    idle = runner.invoke(app, ["status", "-o", "json"])
    assert idle.exit_code == 0, idle.output

    started = runner.invoke(app, ["deploy", IMAGE_V2, "--steps", "10:pause,100", "--no-watch", "-o", "json"])
    assert started.exit_code == 0, started.output
    arn = document_of(started)["execution_arn"]
    wait_for_lock(cutover, lambda lock: lock.get("owner") == arn and lock.get("task_key") == "step:0", 60)
    paused = runner.invoke(app, ["status", "-o", "json"])  # a deployment holds the lock
    assert paused.exit_code == 0, paused.output
    timed_out = runner.invoke(app, ["watch", arn, "--timeout", "0s", "--interval", "0.05", "-o", "json"])
    assert timed_out.exit_code == 6, timed_out.output
    promoted = runner.invoke(app, ["promote", "-o", "json"])
    assert promoted.exit_code == 0, promoted.output
    watched = runner.invoke(app, ["watch", arn, "-o", "json", *FAST])
    assert watched.exit_code == 0, watched.output
    v3 = IMAGE_V2.replace(":v2", ":v3")
    deployed = runner.invoke(app, ["deploy", v3, "--strategy", "all-at-once", "-o", "json", *FAST])
    assert deployed.exit_code == 0, deployed.output
    history = runner.invoke(app, ["history", "-o", "json"])
    assert history.exit_code == 0, history.output

    assert document_of(paused)["deployment"] is not None and document_of(idle)["deployment"] is None
    (errors,) = documented_tables("error")
    check_against_the_docs("error", [document_of(invalid), document_of(timed_out)], errors)
    (status,) = documented_tables("status")
    check_against_the_docs("status", [document_of(idle), document_of(paused)], status)
    (executions,) = documented_tables("execution")
    runs = [document_of(result) for result in (started, promoted, watched, deployed)]
    check_against_the_docs("execution", runs, executions)
    (records,) = documented_tables("history")
    check_against_the_docs("history", [document_of(history)], records)
