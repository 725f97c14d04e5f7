"""Cutover's example workload: an MCP server with real probes, graceful drain and metrics.

Importing the package is cheap on purpose: `cutover_service.contract` (container port, health-check
command, drain timings) is read by the CDK app, which must not pull in the server's dependencies.
"""

__all__: list[str] = []
