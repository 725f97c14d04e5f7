"""The assembly `make synth-local` writes to cdk.out.local, synthesized in-process for tests: the
local variant with the example service as its image, its ECR repositories and the demo's
on_rollback hook. test_demo and test_sandbox run on it; test_readme_commands checks it is the
template `make synth-local` writes."""

from __future__ import annotations

from pathlib import Path

from cutover.local.demo_hooks import DEMO_HOOKS
from cutover.local.repositories import LOCAL_ECR_REPOSITORIES
from tests.synth import synth_assembly


def synth_local_assembly() -> Path:
    return synth_assembly(local=True, image="asset", ecr_repositories=list(LOCAL_ECR_REPOSITORIES), hooks=DEMO_HOOKS)
