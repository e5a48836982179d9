"""The official MCP Python SDK as an independent client of a Streamable HTTP server.

Usage: mcp_client.py URL TOKEN TOOL [FAILING_TOOL]

For each way the SDK starts (the initialize handshake, and `auto`, which probes the current
revision first): list the tools, call TOOL and check its documents, call it without a query
(a tool error), call FAILING_TOOL (a tool error). A client without the token must be refused.
Prints `ok` when all of it holds.
"""

import asyncio
import json
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


def connect(url, token, mode):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(headers=headers)
    return Client(streamable_http_client(url, http_client=http), mode=mode, raise_exceptions=True), http


async def check(url, token, tool, failing, mode):
    client, http = connect(url, token, mode)
    async with http, client:
        listed = await client.list_tools()
        tools = {t.name: t for t in listed.tools}
        assert tool in tools, f"{mode}: {sorted(tools)}"
        schema = tools[tool].input_schema
        assert schema["required"] == ["query"], schema
        assert schema["properties"]["query"]["type"] == "string", schema

        found = await client.call_tool(tool, {"query": "holiday"})
        assert not found.is_error, found
        documents = found.structured_content["documents"]
        assert documents, found
        assert len(found.content) == len(documents), found
        for block, document in zip(found.content, documents):
            assert block.type == "text", block
            assert json.loads(block.text) == document, (block.text, document)
            assert isinstance(document["id"], str) and document["id"], document

        refused = await client.call_tool(tool, {})
        assert refused.is_error, refused

        if failing:
            down = await client.call_tool(failing, {"query": "holiday"})
            assert down.is_error, down
            assert down.content[0].text, down
        return client.protocol_version


async def refused_without_token(url):
    client, http = connect(url, None, "legacy")
    try:
        async with http, client:
            await client.list_tools()
    except BaseException:  # the SDK raises its own error types, grouped by anyio
        return
    raise AssertionError("a client without the token was served")


async def main():
    url, token, tool = sys.argv[1:4]
    failing = sys.argv[4] if len(sys.argv) > 4 else None
    versions = [await check(url, token, tool, failing, mode) for mode in ("legacy", "auto")]
    assert versions[0] < "2026-07-28", versions
    assert versions[1] == "2026-07-28", versions
    await refused_without_token(url)
    print("ok", versions)


asyncio.run(main())
