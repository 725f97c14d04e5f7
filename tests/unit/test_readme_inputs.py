"""Every JSON input README.md offers to paste is one the state machine accepts: parsed by the
real input model (cutover.shifter.logic.inputs), its `analysis` merged over the default judge as the
validate step does, and the stack's `analysis` context examples read by the real config loader.
A typo in a ready-to-paste input would otherwise surface as InvalidInput in a user's console."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cutover.config import load_config
from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.inputs import DeployInput, parse_execution_input

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
# The tables shorten the image to fit; the rest of it is any registry's.
SHORT_IMAGE = "…/"
IMAGE_PREFIX = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/"


def fenced_json(text: str) -> list[dict[str, Any]]:
    return [json.loads(block) for block in re.findall(r"^```json\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)]


def inline_json(text: str) -> list[dict[str, Any]]:
    found = []
    for span in re.findall(r"`(\{[^`]*\})`", text):
        try:
            document = json.loads(span)
        except ValueError:
            continue  # a shape with placeholders (`{"mode": "off" | "dry-run" | "on", …}`), not an input
        if isinstance(document, dict):
            found.append(document)
    return found


def execution_inputs() -> list[dict[str, Any]]:
    documents = fenced_json(README) + inline_json(README)
    return [d for d in documents if "image" in d or "action" in d]


INPUTS = execution_inputs()


def test_the_readme_offers_inputs_for_each_kind_of_execution() -> None:
    kinds = {document.get("action", "deploy") for document in INPUTS}
    assert kinds == {"deploy", "promote", "abort", "rollback", "switch", "repair"}
    judged = [d for d in INPUTS if "analysis" in d]
    assert {d["analysis"]["mode"] for d in judged} == {"dry-run", "on"}
    assert any("user_metrics" in d["analysis"] for d in judged)


@pytest.mark.parametrize("document", INPUTS, ids=lambda d: json.dumps(d)[:60])
def test_every_ready_to_paste_input_is_accepted(document: dict[str, Any]) -> None:
    text = json.dumps(document, ensure_ascii=False).replace(SHORT_IMAGE, IMAGE_PREFIX)
    parsed = parse_execution_input(text)
    if isinstance(parsed, DeployInput):
        # What the validate step does next: the deployment's judge over the stack's (here the default).
        merged = JudgeConfig().merged_with(parsed.analysis)
        assert merged.mode == (document.get("analysis") or {}).get("mode", "off")


def test_the_user_metric_example_reads_the_metric_the_emf_example_publishes() -> None:
    (emf,) = [d for d in fenced_json(README) if "_aws" in d]
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    ((metric,),) = [directive["Metrics"]]
    (dimension_names,) = directive["Dimensions"]
    published = {name: emf[name] for name in dimension_names}
    (deploy,) = [d for d in INPUTS if "user_metrics" in d.get("analysis", {})]
    (user,) = JudgeConfig.model_validate(deploy["analysis"]).user_metrics
    assert (user.query.namespace, user.query.metric_name) == (directive["Namespace"], metric["Name"])
    assert user.query.for_side(emf["Side"]) == published
    assert isinstance(emf[metric["Name"]], int | float)


def test_the_stack_context_examples_are_read_by_the_config_loader() -> None:
    examples = re.findall(r"-c analysis='([^']*)'", README)
    examples += re.findall(r'"context": \{"analysis": (\{[^`]*\})\}', README)
    assert len(examples) == 2
    for example in examples:
        (service,) = load_config({"analysis": example}).services
        assert service.analysis.mode in {"dry-run", "on"}
        assert len(json.dumps(service.analysis.model_dump(mode="json", exclude_unset=True))) <= 160
