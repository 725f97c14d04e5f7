"""The MCP endpoint, spoken to with the official SDK's own client over streamable HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.service.server_process import MCP_HEADERS, ServerProcess


async def session_round_trip(url: str) -> dict[str, Any]:
    async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
        initialized = await session.initialize()
        tools = await session.list_tools()
        found = await session.call_tool("search_appointments", {"patient_name": "ada", "date": "2030-03-18"})
        everyone = await session.call_tool("search_appointments", {"patient_name": "a"})
        bad_date = await session.call_tool("search_appointments", {"patient_name": "ada", "date": "soon"})
        version = await session.call_tool("get_version", {})
        return {
            "server": initialized.server_info,
            "tools": {tool.name: tool for tool in tools.tools},
            "found": found,
            "everyone": everyone,
            "bad_date": bad_date,
            "version": version,
        }


def test_the_sdk_client_initializes_lists_and_calls_tools(shared_server: ServerProcess) -> None:
    url = f"http://127.0.0.1:{shared_server.port}/mcp"
    result = asyncio.run(asyncio.wait_for(session_round_trip(url), timeout=30))

    assert result["server"].name == "cutover-demo-appointments"
    assert result["server"].version == "v-test-7"
    assert {"search_appointments", "get_version"} <= set(result["tools"])
    schema = result["tools"]["search_appointments"].input_schema
    assert schema["required"] == ["patient_name"] and "date" in schema["properties"]

    found = result["found"]
    assert not found.is_error
    assert found.structured_content == {
        "result": [
            {
                "appointment_id": "apt-1002",
                "patient_name": "Ada Lovelace",
                "date": "2030-03-18",
                "time": "14:30",
                "clinician": "Dr. Grace Hopper",
                "department": "cardiology",
            }
        ]
    }
    assert json.loads(found.content[0].text)["appointment_id"] == "apt-1002"
    assert len(result["everyone"].structured_content["result"]) == 6

    assert result["bad_date"].is_error
    assert "YYYY-MM-DD" in result["bad_date"].content[0].text

    assert result["version"].structured_content == {
        "version": "v-test-7",
        "side": "green",
        "phase": "ready",
        "flags": {},  # no FEATURE_FLAGS_FILE: no flag on
    }


def test_the_endpoint_is_stateless_with_json_responses(shared_server: ServerProcess) -> None:
    """A bare tools/call with no initialize and no session id is answered, as JSON, by any replica."""
    reply = shared_server.call_tool("get_version", {})
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert "mcp-session-id" not in reply.headers
    assert reply.json()["result"]["structuredContent"]["side"] == "green"


def test_every_response_names_the_version_and_side(shared_server: ServerProcess) -> None:
    replies = {
        "/mcp": shared_server.request("POST", "/mcp", b'{"jsonrpc":"2.0","id":1,"method":"ping"}', MCP_HEADERS),
        "/health": shared_server.get("/health"),
        "/health/live": shared_server.get("/health/live"),
        "/metrics": shared_server.get("/metrics"),
        "404": shared_server.get("/no/such/page"),
    }
    assert replies["/mcp"].status == 200 and replies["404"].status == 404
    for name, reply in replies.items():
        assert reply.headers.get("x-service-version") == "v-test-7", name
        assert reply.headers.get("x-cutover-side") == "green", name
