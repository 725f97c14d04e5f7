"""Create a synthesized stack in local AWS the way `cdk deploy` would: upload its file
assets to the bootstrap bucket, then CloudFormation create_stack with the template."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOOTSTRAP_QUALIFIER = "hnb659fds"


class LocalStackError(RuntimeError):
    pass


@dataclass(frozen=True)
class SynthesizedStack:
    name: str
    template: dict[str, Any]
    assets: dict[str, Any]
    assembly_dir: Path

    @classmethod
    def load(cls, assembly_dir: Path, stack_name: str) -> SynthesizedStack:
        template_path = assembly_dir / f"{stack_name}.template.json"
        if not template_path.exists():
            raise LocalStackError(f"{template_path} not found: synthesize first (make synth-local)")
        assets_path = assembly_dir / f"{stack_name}.assets.json"
        assets = json.loads(assets_path.read_text()) if assets_path.exists() else {"files": {}}
        return cls(stack_name, json.loads(template_path.read_text()), assets, assembly_dir)


def _zip_directory(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def upload_assets(stack: SynthesizedStack, s3: Any, account: str, region: str) -> int:
    bucket = f"cdk-{BOOTSTRAP_QUALIFIER}-assets-{account}-{region}"
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    uploaded = 0
    for asset in stack.assets.get("files", {}).values():
        source = stack.assembly_dir / asset["source"]["path"]
        body = _zip_directory(source) if asset["source"].get("packaging") == "zip" else source.read_bytes()
        for destination in asset["destinations"].values():
            s3.put_object(Bucket=bucket, Key=destination["objectKey"], Body=body)
            uploaded += 1
    return uploaded


def create_stack(stack: SynthesizedStack, cloudformation: Any, s3: Any, account: str, region: str) -> dict[str, str]:
    """Create the stack; return its outputs. Raises LocalStackError unless CREATE_COMPLETE."""
    upload_assets(stack, s3, account, region)
    cloudformation.create_stack(
        StackName=stack.name,
        TemplateBody=json.dumps(stack.template),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    described = cloudformation.describe_stacks(StackName=stack.name)["Stacks"][0]
    if described["StackStatus"] != "CREATE_COMPLETE":
        failures = [
            f"{event['LogicalResourceId']}: {event.get('ResourceStatusReason')}"
            for event in cloudformation.describe_stack_events(StackName=stack.name)["StackEvents"]
            if event["ResourceStatus"].endswith("FAILED")
        ]
        raise LocalStackError(f"{stack.name} ended {described['StackStatus']}: {'; '.join(failures) or 'no reason'}")
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}
