"""`make demo`, first stage: create the synthesized local stack in local AWS (moto,
in-process) the way `cdk deploy` would, and show the topology a deployment drives.

The traffic shifter (the blue/green deployment itself) joins this demo when it lands.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSEMBLY = ROOT / "cdk.out.local"
REGION = "eu-west-1"


def _line(label: str, value: object) -> None:
    print(f"  {label:<28} {value}")


def main() -> int:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        os.environ[key] = value
    import boto3
    from moto import mock_aws

    from cutover.local import moto_patches
    from cutover.local.cloud_assembly import LocalStackError, SynthesizedStack, create_stack

    stack_names = sorted(p.name.removesuffix(".template.json") for p in ASSEMBLY.glob("*.template.json"))
    if not stack_names:
        print(f"no synthesized stack in {ASSEMBLY}: run `make synth-local`", file=sys.stderr)
        return 1
    moto_patches.apply()
    # moto warns that it skips the security-group egress rule and the bucket and topic
    # policies: access policies, which moto would not enforce anyway.
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Tried to parse")
    print("Local AWS: moto, in this process (stand-in for an AWS account; nothing leaves this machine)")
    with mock_aws():
        account = boto3.client("sts").get_caller_identity()["Account"]
        for name in stack_names:
            started = time.perf_counter()
            try:
                outputs = create_stack(
                    SynthesizedStack.load(ASSEMBLY, name),
                    boto3.client("cloudformation"),
                    boto3.client("s3"),
                    account,
                    REGION,
                )
            except LocalStackError as error:
                print(f"cutover: {error}", file=sys.stderr)
                return 1
            print(f"\nStack {name}: CREATE_COMPLETE in {time.perf_counter() - started:.2f} s")
            _show(outputs)
    print("\nNext: the traffic shifter will deploy a new image to the idle side and shift these weights.")
    return 0


def _show(outputs: dict[str, str]) -> None:
    import boto3

    elbv2, ecs, ssm = boto3.client("elbv2"), boto3.client("ecs"), boto3.client("ssm")
    side_of = {outputs["BlueTargetGroupArn"]: "blue", outputs["GreenTargetGroupArn"]: "green"}
    listener = elbv2.describe_listeners(ListenerArns=[outputs["ListenerArn"]])["Listeners"][0]
    forward = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    print("Production traffic (listener default action):")
    for target in forward:
        _line(side_of[target["TargetGroupArn"]], f"weight {target['Weight']}")
    print("Test route (rules above the default):")
    for rule in elbv2.describe_rules(ListenerArn=outputs["ListenerArn"])["Rules"]:
        if rule["IsDefault"]:
            continue
        headers = {
            c["HttpHeaderConfig"]["HttpHeaderName"]: c["HttpHeaderConfig"]["Values"][0] for c in rule["Conditions"]
        }
        routed_to = side_of[rule["Actions"][0]["TargetGroupArn"]]
        _line(f"priority {rule['Priority']}", f"X-Canary-Version: {headers['X-Canary-Version']} + token -> {routed_to}")
    print("Services:")
    names = [outputs["BlueServiceName"], outputs["GreenServiceName"]]
    for service in ecs.describe_services(cluster=outputs["ClusterName"], services=names)["services"]:
        revision = service["taskDefinition"].rsplit("/", 1)[1]
        _line(service["serviceName"], f"desired {service['desiredCount']}, task definition {revision}")
    print(f"Live state (SSM {outputs['LiveStatePrefix']}, owned by the shifter):")
    parameters = ssm.get_parameters_by_path(Path=outputs["LiveStatePrefix"], Recursive=True)["Parameters"]
    for parameter in sorted(parameters, key=lambda p: p["Name"]):
        _line(parameter["Name"].removeprefix(outputs["LiveStatePrefix"] + "/"), parameter["Value"].rsplit("/", 1)[-1])
    print("Alarms watched when a side receives new traffic:")
    for side in ("Blue", "Green"):
        _line(side.lower(), outputs[f"{side}AlarmNames"].replace(",", ", "))


if __name__ == "__main__":
    sys.exit(main())
