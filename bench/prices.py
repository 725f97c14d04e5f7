"""Public AWS list prices used by the cost figure: US East (N. Virginia), as published on
the pricing pages below (as of this benchmark's writing). Free tiers are ignored."""

from __future__ import annotations

# https://aws.amazon.com/step-functions/pricing/ — Standard Workflows: $0.025 per 1,000 state
# transitions ("each time a step of your workflow is executed", retries included). The stack's
# default region, eu-west-1, lists the same price.
STEP_FUNCTIONS_PER_TRANSITION = 0.025 / 1_000
# https://aws.amazon.com/lambda/pricing/ — x86: $0.20 per 1M requests, $0.0000166667 per
# GB-second, duration billed in 1 ms increments.
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_PER_GB_SECOND = 0.0000166667
LAMBDA_MEMORY_GB = 512 / 1024  # cutover/cdk/shifter_functions.py: memory_size=512, x86_64
# https://aws.amazon.com/cloudwatch/pricing/ — CloudWatch Logs standard ingestion, $0.50 per GB
# (the state machine logs at level ALL with execution data).
LOGS_INGESTION_PER_GB = 0.50

SOURCES = (
    "https://aws.amazon.com/step-functions/pricing/",
    "https://aws.amazon.com/lambda/pricing/",
    "https://aws.amazon.com/cloudwatch/pricing/",
    "https://aws.amazon.com/eventbridge/pricing/",
)
