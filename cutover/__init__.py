"""Cutover: blue/green deployments of ECS Fargate services behind an ALB."""
