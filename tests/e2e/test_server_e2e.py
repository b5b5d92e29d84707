"""docqa serve with the real models on a real uvicorn: the warm CLI, SSE, and MCP over stdio."""

from __future__ import annotations

import json
import os
import sys

import urllib.request

import anyio
import pytest
from typer.testing import CliRunner

from docqa.cli import app as cli
from tests.e2e.conftest import DEMO_PAGE, DEMO_PDF, DEMO_QUESTION

pytestmark = pytest.mark.e2e


def test_the_warm_cli_prints_what_an_in_process_ask_prints(live_server, monkeypatch):
    asked = []
    real_ask = live_server.service.ask
    monkeypatch.setattr(live_server.service, "ask", lambda *a, **k: asked.append(a) or real_ask(*a, **k))
    args = ["ask", DEMO_QUESTION, "--index", str(live_server.directory)]
    warm = CliRunner().invoke(cli, args)
    assert asked, "the CLI did not use the running server"
    cold = CliRunner().invoke(cli, args + ["--no-server"])
    assert warm.exit_code == cold.exit_code == 0, warm.output + cold.output
    assert warm.output == cold.output
    assert "$4.2 million" in warm.output and f"{DEMO_PDF}, page {DEMO_PAGE}" in warm.output


def test_ask_streams_over_sse_and_ends_with_the_verified_answer(live_server):
    events = []
    body = json.dumps({"question": DEMO_QUESTION, "stream": True}).encode()
    request = urllib.request.Request(f"{live_server.url}/v1/ask", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as r:
        assert r.headers["Content-Type"].startswith("text/event-stream")
        for block in r.read().decode().split("\n\n"):
            if block:
                head, data = block.split("\n", 1)
                events.append((head.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    assert events[0][0] == "token" and events[-1][0] == "answer"
    answer = events[-1][1]
    assert answer["verified"] and "$4.2" in answer["short_answer"]
    assert answer["citations"][0]["page_start"] == DEMO_PAGE


def test_mcp_tools_over_stdio_answer_with_a_citation(live_server):
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "docqa", "mcp", "--index", str(live_server.directory)],
                                   env=dict(os.environ))

    async def talk():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            return tools, await session.call_tool("ask", {"question": DEMO_QUESTION})

    tools, result = anyio.run(talk)
    assert {t.name for t in tools.tools} == {"search", "ask", "list_documents", "summarize"}
    answer = result.structured_content or json.loads(result.content[0].text)
    assert answer["verified"] and "4.2" in answer["short_answer"]
    assert answer["citations"][0]["path"].endswith(DEMO_PDF) and answer["citations"][0]["page_start"] == DEMO_PAGE
