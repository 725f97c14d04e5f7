"""The moto patches apply to the pinned moto and make it behave as AWS does."""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from cutover.local import moto_patches, moto_speedups
from cutover.local.loaded_stack import MOTO_CONFIG

REGION = "eu-west-1"


def template() -> dict[str, Any]:
    """A listener with a weighted forward, a target group's attributes, an alarm on it and a secret:
    each is something moto's CloudFormation mishandles without the patches."""
    return {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "SubnetA": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "eu-west-1a"},
            },
            "SubnetB": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "eu-west-1b"},
            },
            "Alb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]},
            },
            "Blue": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "Port": 80, "Protocol": "HTTP", "TargetType": "ip"},
            },
            "Green": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {
                    "VpcId": {"Ref": "Vpc"},
                    "Port": 80,
                    "Protocol": "HTTP",
                    "TargetType": "ip",
                    "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
                },
            },
            "Listener": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {
                    "LoadBalancerArn": {"Ref": "Alb"},
                    "Port": 80,
                    "Protocol": "HTTP",
                    "DefaultActions": [
                        {
                            "Type": "forward",
                            "ForwardConfig": {
                                "TargetGroups": [
                                    {"TargetGroupArn": {"Ref": "Blue"}, "Weight": 90},
                                    {"TargetGroupArn": {"Ref": "Green"}, "Weight": 10},
                                ]
                            },
                        }
                    ],
                },
            },
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": "green-5xx",
                    "Namespace": "AWS/ApplicationELB",
                    "MetricName": "HTTPCode_Target_5XX_Count",
                    "Statistic": "Sum",
                    "Period": 60,
                    "EvaluationPeriods": 1,
                    "Threshold": 5,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                    "TreatMissingData": "notBreaching",
                    "Dimensions": [
                        {"Name": "TargetGroup", "Value": {"Fn::GetAtt": ["Green", "TargetGroupFullName"]}},
                        {"Name": "LoadBalancer", "Value": {"Fn::GetAtt": ["Alb", "LoadBalancerFullName"]}},
                    ],
                },
            },
            "Token": {"Type": "AWS::SecretsManager::Secret", "Properties": {"SecretString": "local-token"}},
        },
        "Outputs": {
            "TokenArn": {"Value": {"Ref": "Token"}},
            "Listener": {"Value": {"Ref": "Listener"}},
            "Green": {"Value": {"Ref": "Green"}},
            "Alb": {"Value": {"Ref": "Alb"}},
        },
    }


def test_moto_is_the_pinned_version_the_patches_were_written_for() -> None:
    assert version("moto") == "5.2.5"


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake credentials and region moto's clients need."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)


@pytest.mark.usefixtures("credentials")
def test_patched_moto_creates_weighted_listener_alarm_and_secret() -> None:
    moto_patches.apply()
    moto_patches.apply()  # idempotent
    with mock_aws():
        cloudformation = boto3.client("cloudformation")
        cloudformation.create_stack(StackName="probe", TemplateBody=json.dumps(template()))
        stack = cloudformation.describe_stacks(StackName="probe")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}

        listener = boto3.client("elbv2").describe_listeners(ListenerArns=[outputs["Listener"]])["Listeners"][0]
        assert [tg["Weight"] for tg in listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]] == [90, 10]

        (alarm,) = boto3.client("cloudwatch").describe_alarms(AlarmNames=["green-5xx"])["MetricAlarms"]
        dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        # As AWS defines them: the resource part of each ARN.
        assert dimensions["TargetGroup"] == "targetgroup/" + outputs["Green"].split(":targetgroup/", 1)[1]
        assert dimensions["LoadBalancer"] == outputs["Alb"].split(":loadbalancer/", 1)[1]
        assert dimensions["LoadBalancer"].startswith("app/")

        attributes = boto3.client("elbv2").describe_target_group_attributes(TargetGroupArn=outputs["Green"])
        delay = {a["Key"]: a["Value"] for a in attributes["Attributes"]}["deregistration_delay.timeout_seconds"]
        assert delay == "30"  # moto alone reports its default, 300

        secret = boto3.client("secretsmanager").get_secret_value(SecretId=outputs["TokenArn"])
        assert secret["SecretString"] == "local-token"


def test_the_interpreter_keeps_one_client_per_service_and_it_still_reaches_local_aws() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    moto_patches.apply()
    client_for: Any = getattr(lambda_eval_utils, "boto_client_for")  # noqa: B009 (moto does not re-export it)
    with mock_aws():
        first = client_for(REGION, "lambda")
        assert client_for(REGION, "lambda", {"any": "credentials"}) is first
        assert first.list_functions()["Functions"] == []  # intercepted by moto, not sent to AWS
    assert client_for("us-east-1", "lambda") is not first


def test_moto_keeps_each_services_regions_and_skips_the_ami_catalogue_cutover_never_uses() -> None:
    import os

    from moto.core import base_backend

    moto_patches.apply()
    assert os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] == "false"
    with mock_aws():
        assert boto3.client("ec2", region_name=REGION).describe_images(Owners=["amazon"])["Images"] == []
        regions = base_backend.AccountSpecificBackend._generate_regions
        backend: Any = object()
        assert REGION in regions(backend, "ecs") and regions(backend, "ecs") == regions(object(), "ecs")


def test_every_boto3_session_shares_one_botocore_loader_whose_search_paths_do_not_grow() -> None:
    moto_patches.apply()
    first, second = boto3.session.Session(), boto3.session.Session()
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader
    paths = list(loader.search_paths)
    boto3.session.Session()  # boto3 appends its own data path to the loader of each new session
    assert list(loader.search_paths) == paths
    with mock_aws():  # a client of a new session still works (and reaches moto)
        assert second.client("sqs", region_name=REGION).list_queues().get("QueueUrls", []) == []


def test_a_json_template_parses_to_what_moto_parses_it_to_and_yaml_still_parses() -> None:
    from moto.cloudformation.models import Stack

    moto_patches.apply()
    body = json.dumps(template())
    assert Stack.parse_template(body) == moto_speedups._original_parse_template(body) == template()
    yaml_body = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Name\n"
    assert Stack.parse_template(yaml_body)["Resources"]["Topic"]["Properties"]["TopicName"] == {"Ref": "Name"}


def test_a_definition_is_parsed_once_and_each_execution_gets_its_own_program() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

    moto_patches.apply()
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": 1, "End": True}}})
    first_program, tree = AmazonStateLanguageParser.parse(definition)
    second_program, same_tree = AmazonStateLanguageParser.parse(definition)
    assert same_tree is tree and second_program is not first_program
    assert type(second_program) is type(first_program)
    with pytest.raises(ASLParserException):  # an invalid definition still fails, each time
        AmazonStateLanguageParser.parse('{"StartAt": ')
    with pytest.raises(ASLParserException):
        AmazonStateLanguageParser.parse('{"StartAt": ')


def _lambda_task(function: str, payload: str) -> str:
    return json.dumps(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": function, "Payload": {"say": payload}},
                    "End": True,
                }
            },
        }
    )


MOTO_ASL_PARSE = moto_speedups._original_asl_parse  # moto's own, never counted


@pytest.fixture
def full_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The definitions moto's own parser is given from now on (the speed-ups applied)."""
    moto_patches.apply()
    parsed: list[str] = []
    original = MOTO_ASL_PARSE

    def counted(definition: str) -> Any:  # moto's parser, counted
        parsed.append(definition)
        return original(definition)

    monkeypatch.setattr(moto_speedups, "_original_asl_parse", counted)
    return parsed


def test_a_definition_of_a_known_shape_gets_the_tree_a_full_parse_would_give(full_parses: list[str]) -> None:
    """Same token types, other texts (another function suffix): the known tree, with the new tokens."""
    from antlr4.tree.Trees import Trees
    from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    first = _lambda_task(f"arn:aws:lambda:{REGION}:123456789012:function:stack-Fn-AAAAAAAA", "hello")
    second = _lambda_task(f"arn:aws:lambda:{REGION}:123456789012:function:stack-Fn-BBBBBBBB", "bye")
    AmazonStateLanguageParser.parse(first)
    _, tree = AmazonStateLanguageParser.parse(second)
    assert full_parses == [first]  # the second was lexed, not parsed

    def shown(node: Any) -> str:
        return str(Trees.toStringTree(node, ruleNames=ASLParser.ruleNames))

    assert shown(tree) == shown(MOTO_ASL_PARSE(second)[1])
    assert "BBBBBBBB" in shown(tree) and "AAAAAAAA" not in shown(tree) and '"bye"' in shown(tree)
    other_shape = _lambda_task("stack-Fn-CCCCCCCC", "$.not-the-same-token-type")
    AmazonStateLanguageParser.parse(other_shape)
    assert full_parses == [first, other_shape]


def test_a_definition_the_lexer_complains_of_takes_motos_full_parse(full_parses: list[str]) -> None:
    """moto's lexer skips a character no token starts with (and says so): the shape of what is left
    could match a known one, so whatever moto's full parse makes of it stands."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    valid = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    AmazonStateLanguageParser.parse(valid)
    odd = valid.replace('"StartAt":', '"StartAt": ~')
    AmazonStateLanguageParser.parse(odd)
    assert full_parses[-1] == odd


@pytest.mark.usefixtures("credentials")
def test_a_state_machine_definition_is_validated_once_and_an_invalid_one_fails_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moto_patches.apply()
    validated: list[str] = []
    motos_validation = moto_speedups._original_validate_definition

    def counted(definition: str) -> None:  # moto's validation, counted
        validated.append(definition)
        motos_validation(definition)

    monkeypatch.setattr(moto_speedups, "_original_validate_definition", counted)
    definition = _lambda_task(f"arn:aws:lambda:{REGION}:123456789012:function:validated-once", "hi")
    role = "arn:aws:iam::123456789012:role/sfn"
    with mock_aws(config=MOTO_CONFIG):  # the interpreter's backend, which validates definitions
        sfn = boto3.client("stepfunctions", region_name=REGION)
        for name in ("first", "second"):
            sfn.create_state_machine(name=name, definition=definition, roleArn=role)
        for name in ("bad-1", "bad-2"):
            with pytest.raises(ClientError, match="ASLParserException"):  # moto's InvalidDefinition
                sfn.create_state_machine(name=name, definition='{"StartAt": "Nowhere", "States": {', roleArn=role)
        assert sorted(machine["name"] for machine in sfn.list_state_machines()["stateMachines"]) == ["first", "second"]
    invalid = [text for text in validated if text != definition]
    assert validated.count(definition) == 1 and len(invalid) == 2  # once for both; the invalid one each time


@pytest.mark.usefixtures("credentials")
def test_a_stack_created_again_in_a_fresh_account_gets_the_same_physical_names() -> None:
    """Seeded by the stack's name and how many stacks came before it: the same in every test, not
    the same for a second stack of the account."""
    body = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})

    def create(name: str) -> str:
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        moto_speedups.seed_for_stack(name, len(cloudformation.list_stacks()["StackSummaries"]))
        cloudformation.create_stack(StackName=name, TemplateBody=body)
        resources = cloudformation.describe_stack_resources(StackName=name)["StackResources"]
        return str(resources[0]["PhysicalResourceId"])

    with mock_aws():
        first = create("stack")
    with mock_aws():
        again = create("stack")
        second_of_the_account = create("other")
    assert again == first
    assert second_of_the_account.rsplit("-", 1)[-1] != first.rsplit("-", 1)[-1]


def test_symmetric_keys_share_one_unused_rsa_key_and_asymmetric_keys_still_sign() -> None:
    from moto.kms.models import kms_backends

    moto_patches.apply()
    with mock_aws():
        kms = boto3.client("kms", region_name=REGION)
        symmetric = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2)]
        signing = [kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"] for _ in range(2)]
        keys = kms_backends["123456789012"][REGION].keys
        assert keys[symmetric[0]].private_key is keys[symmetric[1]].private_key
        assert keys[signing[0]].private_key is not keys[signing[1]].private_key
        signed = kms.sign(KeyId=signing[0], Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
        verified = kms.verify(KeyId=signing[0], Message=b"m", Signature=signed, SigningAlgorithm="RSASSA_PSS_SHA_256")
        assert verified["SignatureValid"]
        ciphertext = kms.encrypt(KeyId=symmetric[0], Plaintext=b"secret")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=ciphertext)["Plaintext"] == b"secret"


def test_every_sns_subscription_signs_with_the_regions_one_key() -> None:
    from moto.sns.models import Subscription

    moto_patches.apply()
    first, second = object.__new__(Subscription), object.__new__(Subscription)
    assert first.private_key() is second.private_key()
