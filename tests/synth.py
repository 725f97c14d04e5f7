"""Synthesize the app the way `cdk synth` does, for tests.

cdk.App() in tests does not read cdk.json, so the context is read from it here and
passed explicitly: tests synthesize exactly what `make synth` does, plus overrides.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def cdk_json_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


# tests/conftest.py points this at a per-session directory: xdist workers then share each
# synthesized assembly (one synth per variant per session) instead of each synthesizing it.
SYNTH_CACHE_ENV = "CUTOVER_TEST_SYNTH_CACHE"


@cache
def _synth(overrides_json: str) -> tuple[Path, dict[str, dict[str, Any]]]:
    cache_dir = os.environ.get(SYNTH_CACHE_ENV)
    if cache_dir is None:
        return _synth_now(overrides_json)
    from filelock import FileLock

    entry = Path(cache_dir) / hashlib.sha256(overrides_json.encode()).hexdigest()
    with FileLock(f"{entry}.lock"):
        if not entry.with_suffix(".json").exists():
            directory, templates = _synth_now(overrides_json)
            record = {"directory": str(directory), "templates": templates}
            entry.with_suffix(".json").write_text(json.dumps(record))
    record = json.loads(entry.with_suffix(".json").read_text())
    return Path(record["directory"]), record["templates"]


def _synth_now(overrides_json: str) -> tuple[Path, dict[str, dict[str, Any]]]:
    import app  # imported late: jsii starts on import

    context = {**cdk_json_context(), **json.loads(overrides_json)}
    assembly = app.build_app(context).synth()
    return Path(assembly.directory), {stack.stack_name: stack.template for stack in assembly.stacks}


def synth(**overrides: Any) -> dict[str, dict[str, Any]]:
    """Stack name → template dict. Cached per distinct set of overrides."""
    return _synth(json.dumps(overrides, sort_keys=True))[1]


def synth_assembly(**overrides: Any) -> Path:
    """The cloud assembly directory (templates and assets) for these overrides."""
    return _synth(json.dumps(overrides, sort_keys=True))[0]


def render_join(value: Any) -> str:
    """Render a string or Fn::Join with every token shown as <token>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" not in value:
        return "<token>"
    separator, parts = value["Fn::Join"]
    return str(separator).join(part if isinstance(part, str) else "<token>" for part in parts)


def seed_call(seed: dict[str, Any]) -> dict[str, Any]:
    """The SSM PutParameter call a live-state seed (Custom::AWS) makes on create."""
    assert seed["Type"] == "Custom::AWS", seed["Type"]
    call: dict[str, Any] = json.loads(render_join(seed["Properties"]["Create"]))
    return call


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def one_resource(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = resources_of_type(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))
