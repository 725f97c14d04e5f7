#!/usr/bin/env python3
"""A platform team's own CDK app: its VPC and ECS cluster exist; Cutover adds a blue/green service."""

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from cutover.cdk import CutoverStack, ServiceConfig

app = cdk.App()
# What the team already has (here in the same app; any IVpc and ICluster will do).
platform = cdk.Stack(app, "platform", env=cdk.Environment(region="eu-west-1"))
vpc = ec2.Vpc(platform, "Vpc", max_azs=2)
cluster = ecs.Cluster(platform, "Cluster", vpc=vpc)

# The Cutover service: ALB, blue and green Fargate services, alarms and the traffic shifter.
config = ServiceConfig(service_name="shop", region="eu-west-1", image="public.ecr.aws/nginx/nginx:1.27-alpine")
CutoverStack(app, config=config, vpc=vpc, cluster=cluster)
app.synth()
