"""Cutover's traffic shifter: the Lambda code behind the Step Functions workflow.

handlers/  thin: parse the event, call logic and adapters, return a dict
logic/     pure domain: input models, strategies, plans, decisions (no AWS)
adapters/  the only code that calls boto3
"""
