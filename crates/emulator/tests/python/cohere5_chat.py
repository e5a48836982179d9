"""Cohere's Python SDK 5 (`cohere.ClientV2`) against the emulator's `/v2/chat`, the way its
users run a tool loop: a tool-call turn, the tool results and the cited answer, documents,
`chat_stream` (its events put together must be the answer `chat` gave) and a refusal.

Usage: python cohere5_chat.py BASE_URL API_KEY
Exits non-zero, with the SDK's own error, when anything does not hold.
"""

import json
import logging
import sys

import cohere


class Recorded(logging.Handler):
    """What the SDK logs: it skips, with a warning, an event it cannot read."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


RECORDED = Recorded()
logging.getLogger().addHandler(RECORDED)

MODEL = "command-a-03-2025"

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a place.",
            "parameters": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        },
    }
]


def streamed(co, **request):
    """What `chat_stream` gives, put together as its users do."""
    text, plan, calls, citations, end = "", "", [], [], None
    events = list(co.chat_stream(**request))
    assert events[0].type == "message-start", events[0]
    for event in events:
        if event.type == "content-delta":
            text += event.delta.message.content.text
        elif event.type == "tool-plan-delta":
            plan += event.delta.message.tool_plan
        elif event.type == "tool-call-start":
            call = event.delta.message.tool_calls
            calls.append([call.id, call.function.name, call.function.arguments])
        elif event.type == "tool-call-delta":
            calls[event.index][2] += event.delta.message.tool_calls.function.arguments
        elif event.type == "citation-start":
            citations.append(event.delta.message.citations)
        elif event.type == "message-end":
            end = event.delta
    assert events[-1].type == "message-end", events[-1]
    return text, plan, calls, citations, end


def check_citations(text, citations, ids):
    for citation in citations:
        # Python counts code points, as Cohere's offsets do.
        assert text[citation.start : citation.end] == citation.text, citation
        for source in citation.sources:
            assert source.id in ids, (source.id, ids)


def main(base_url: str, api_key: str) -> None:
    co = cohere.ClientV2(api_key=api_key, base_url=base_url, timeout=30)

    messages = [{"role": "user", "content": "Madrid ☀️"}]
    calls = co.chat(model=MODEL, messages=messages, tools=TOOLS)
    assert calls.finish_reason == "TOOL_CALL", calls
    assert calls.message.tool_plan, calls
    (call,) = calls.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"location": "Madrid ☀️"}
    assert calls.usage.billed_units.input_tokens == 2, calls.usage

    _, plan, streamed_calls, _, end = streamed(co, model=MODEL, messages=messages, tools=TOOLS)
    assert plan == calls.message.tool_plan
    assert streamed_calls == [[call.id, "get_weather", call.function.arguments]]
    assert end.finish_reason == "TOOL_CALL"

    messages.append(
        {
            "role": "assistant",
            "tool_plan": calls.message.tool_plan,
            "tool_calls": calls.message.tool_calls,
        }
    )
    messages.append(
        {
            "role": "tool",
            "tool_call_id": call.id,
            "content": [
                {"type": "document", "document": {"data": {"title": "Madrid", "text": "24°C, sunny"}}},
                {"type": "document", "document": {"id": "forecast", "data": {"text": "Rain tomorrow"}}},
            ],
        }
    )
    answer = co.chat(model=MODEL, messages=messages, tools=TOOLS)
    assert answer.finish_reason == "COMPLETE", answer
    text = answer.message.content[0].text
    ids = [f"{call.id}:0", "forecast"]
    assert [c.sources[0].id for c in answer.message.citations] == ids
    assert all(c.sources[0].type == "tool" for c in answer.message.citations)
    assert answer.message.citations[0].sources[0].tool_output == {"title": "Madrid", "text": "24°C, sunny"}
    check_citations(text, answer.message.citations, ids)

    stream_text, _, _, stream_citations, end = streamed(co, model=MODEL, messages=messages, tools=TOOLS)
    assert stream_text == text, (stream_text, text)
    assert [c.dict() for c in stream_citations] == [c.dict() for c in answer.message.citations]
    assert end.finish_reason == "COMPLETE"
    assert end.usage.dict() == answer.usage.dict()

    documents = [
        {"id": "p1", "data": {"title": "Penguins", "snippet": "Emperor penguins 🐧 are the tallest."}},
        "A string document",
    ]
    grounded = co.chat(
        model=MODEL,
        messages=[{"role": "user", "content": "Which penguins are tallest?"}],
        documents=documents,
    )
    citations = grounded.message.citations
    assert [(c.sources[0].type, c.sources[0].id) for c in citations] == [("document", "p1"), ("document", "doc:1")]
    assert citations[0].sources[0].document["title"] == "Penguins"
    check_citations(grounded.message.content[0].text, citations, ["p1", "doc:1"])

    unanswerable = messages[:2] + [{"role": "tool", "tool_call_id": "not-a-call", "content": "x"}]
    try:
        co.chat(model=MODEL, messages=unanswerable, tools=TOOLS)
    except cohere.errors.BadRequestError as error:
        assert error.body["message"] == "tool call id not found in previous tool calls", error.body
    else:
        raise AssertionError("the emulator accepted an answer to a call it never made")

    assert not RECORDED.messages, RECORDED.messages
    print("cohere", cohere.__version__, "ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
