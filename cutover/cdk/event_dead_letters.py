"""Dead-letter queues for the EventBridge targets, and an alarm when one holds an event.

EventBridge retries a failed delivery to a target up to the target's retry policy: "If an event
isn't delivered after all retry attempts are exhausted, the event is dropped ... To avoid losing
events after they fail to be delivered to a target, configure a dead-letter queue (DLQ)"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html). A lost alarm event
is caught by the bake's polling; a lost execution event would leave a crashed execution's lock
held until it expires. Either way a person should know: each queue alarms on its first message.

The target's DLQ catches only events EventBridge could not hand to Lambda. EventBridge invokes
the function asynchronously, so an event the function itself fails on is retried by Lambda (two
more attempts by default) and then dropped unless the function has an on-failure destination
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html): the same queue is that
destination, and its records carry the error.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as lambda_destinations
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# SQS keeps a message 14 days at most: time for a person to look at what was not delivered.
RETENTION = Duration.days(14)


class EventDeadLetters(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, service_name: str, topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self._service_name = service_name
        self._topic = topic
        self.queues: dict[str, sqs.Queue] = {}
        self.alarms: dict[str, cloudwatch.Alarm] = {}

    def queue(self, name: str, description: str, function: lambda_.Function) -> sqs.Queue:
        """The dead-letter queue of the target `name` (e.g. "alarm-events") and of `function`'s
        asynchronous invocations, with its alarm."""
        queue = sqs.Queue(
            self,
            f"{name}-dlq",
            retention_period=RETENTION,
            # SQS-managed keys: EventBridge may send to such a queue without a KMS key policy for
            # events.amazonaws.com, which a customer-managed key would need.
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        alarm = cloudwatch.Alarm(
            self,
            f"{name}-dlq-alarm",
            alarm_name=f"cutover-{self._service_name}-{name}-undelivered",
            alarm_description=f"Cutover {self._service_name}: {description} could not be delivered; "
            f"the event is kept in {name}-dlq",
            metric=queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(1), statistic="Maximum"),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cloudwatch_actions.SnsAction(self._topic))
        function.configure_async_invoke(on_failure=lambda_destinations.SqsDestination(queue), retry_attempts=2)
        self.queues[name] = queue
        self.alarms[name] = alarm
        return queue
