"""DynamoDB table: one lock item per service and the deployment history."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from cutover.shifter.contract import TABLE_PARTITION_KEY, TABLE_SORT_KEY

# Keys (the shifter's contract, docs/live-state.md):
#   pk = "SERVICE#<name>", sk = "LOCK"                     the deployment lock
#   pk = "SERVICE#<name>", sk = "DEPLOYMENT#<iso time>#<execution>"   one history record
PARTITION_KEY = TABLE_PARTITION_KEY
SORT_KEY = TABLE_SORT_KEY


class DeploymentTable(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            # History outlives the stack: `cdk destroy` leaves the table (docs/operations.md).
            removal_policy=RemovalPolicy.RETAIN,
        )
