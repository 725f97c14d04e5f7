"""The smoke test through the test route that a bad release fails: a real MCP call.

Its own small module: the demo imports it at the top, and every process the demo spawns (the
router, the load generator) imports the demo again, so it must not pull moto in with it."""

from __future__ import annotations

from typing import Any

# A smoke test a bad release fails: it answers MCP calls with 500 (the stack's default smoke
# test is GET /health, which the service answers whatever ERROR_RATE says).
MCP_SMOKE_TEST: dict[str, Any] = {
    "path": "/mcp",
    "method": "POST",
    "headers": {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"},
    "body": {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    "expect_json": {"result": {"tools": [{"name": "search_appointments"}]}},
    "max_latency_ms": 2000,
}
