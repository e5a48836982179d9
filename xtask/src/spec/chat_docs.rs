//! The chat fragment's documentation, in this project's words (as [`super::docs`] is for the
//! connectors'): one line per operation, parameter, schema and property.

use super::doc::{Result, Value};

/// The title of the chat fragment (and of the generated chat client's documentation).
pub const TITLE: &str = "Cohere Chat API (v2)";

/// One line per item of the chat fragment, keyed as [`super::docs::DOCS`] is.
pub const DOCS: &[(&str, &str)] = &[
    (
        "operation:chatv2",
        "Sends a conversation to a model and returns its next message: text with citations, or tool calls.",
    ),
    (
        "parameter:RequestSource",
        "Where the request comes from, for Cohere's own bookkeeping.",
    ),
    (
        "schema:ChatStreamEvent",
        "What every streamed event has in common.",
    ),
    (
        "property:ChatStreamEvent.event_type",
        "The kind of the event.",
    ),
    (
        "schema:ChatDebugEvent",
        "A streamed event with diagnostic information.",
    ),
    ("schema:ChatTextContent", "A block of text in a message."),
    ("property:ChatTextContent.type", "Always `text`."),
    ("property:ChatTextContent.text", "The text of the block."),
    ("schema:ContentType", "The kind of a content block."),
    ("schema:ImageUrl", "An image given by its address."),
    (
        "property:ImageUrl.url",
        "The image's URL, or a data URL holding it.",
    ),
    (
        "property:ImageUrl.detail",
        "How closely the model looks at the image.",
    ),
    ("schema:ImageContent", "A block holding an image."),
    (
        "schema:Content",
        "One block of a user message: text or an image.",
    ),
    ("schema:UserMessageV2", "A turn of the user."),
    ("property:UserMessageV2.role", "Always `user`."),
    (
        "property:UserMessageV2.content",
        "What the user says: a string, or blocks of text and images.",
    ),
    (
        "schema:ToolCallV2",
        "A call the model makes to one of the request's tools.",
    ),
    (
        "property:ToolCallV2.id",
        "The call's id, which the tool message answering it repeats.",
    ),
    ("property:ToolCallV2.type", "Always `function`."),
    (
        "property:ToolCallV2.function",
        "The function called: its name and its arguments as JSON text.",
    ),
    (
        "schema:ChatThinkingContent",
        "A block of the model's reasoning.",
    ),
    ("property:ChatThinkingContent.type", "Always `thinking`."),
    (
        "property:ChatThinkingContent.thinking",
        "The reasoning's text.",
    ),
    (
        "schema:ChatToolSource",
        "A citation's source that is a tool's output.",
    ),
    (
        "property:ChatToolSource.id",
        "The output's id: the document's own, or the call's id and the block's index.",
    ),
    (
        "property:ChatToolSource.tool_output",
        "The fields of the output, as the model saw them.",
    ),
    (
        "schema:ChatDocumentSource",
        "A citation's source that is one of the request's documents.",
    ),
    (
        "property:ChatDocumentSource.id",
        "The document's id: its own, or `doc:` and its index.",
    ),
    (
        "property:ChatDocumentSource.document",
        "The fields of the document, as the model saw them.",
    ),
    (
        "schema:Source",
        "Where a citation comes from: a document or a tool's output.",
    ),
    (
        "schema:CitationType",
        "Which part of the message a citation points into.",
    ),
    (
        "schema:Citation",
        "A span of the message and the sources it rests on.",
    ),
    (
        "property:Citation.start",
        "Where the span starts, counted in characters.",
    ),
    (
        "property:Citation.end",
        "Where the span ends (exclusive), counted in characters.",
    ),
    ("property:Citation.text", "The span's text."),
    (
        "property:Citation.sources",
        "The documents and tool outputs the span rests on.",
    ),
    (
        "property:Citation.content_index",
        "The index of the content block the span is in.",
    ),
    (
        "schema:AssistantMessageV2",
        "A turn of the model, given back in a later request.",
    ),
    ("property:AssistantMessageV2.role", "Always `assistant`."),
    (
        "property:AssistantMessageV2.tool_calls",
        "The tool calls the model made in this turn.",
    ),
    (
        "property:AssistantMessageV2.tool_plan",
        "The model's plan before its tool calls.",
    ),
    (
        "property:AssistantMessageV2.content",
        "The model's answer: a string, or blocks.",
    ),
    (
        "property:AssistantMessageV2.citations",
        "The citations of the answer.",
    ),
    ("schema:SystemMessageV2", "Instructions for the model."),
    ("property:SystemMessageV2.role", "Always `system`."),
    (
        "property:SystemMessageV2.content",
        "The instructions: a string, or text blocks.",
    ),
    ("schema:Document", "A document the model can read and cite."),
    ("property:Document.data", "The document's fields."),
    (
        "property:Document.id",
        "The id citations name the document by.",
    ),
    (
        "schema:DocumentContent",
        "A block of a tool message holding a document.",
    ),
    ("property:DocumentContent.type", "Always `document`."),
    (
        "schema:ToolContent",
        "One block of a tool message: text or a document.",
    ),
    (
        "schema:ToolMessageV2",
        "A tool's answer to one of the model's calls.",
    ),
    ("property:ToolMessageV2.role", "Always `tool`."),
    (
        "property:ToolMessageV2.tool_call_id",
        "The id of the call this answers.",
    ),
    (
        "property:ToolMessageV2.content",
        "The tool's output: a string, or blocks of text and documents.",
    ),
    (
        "schema:ChatMessageV2",
        "One message of a conversation, told apart by its role.",
    ),
    (
        "schema:ChatMessages",
        "The conversation so far, oldest first.",
    ),
    ("schema:ToolV2", "A tool the model may call."),
    ("property:ToolV2.type", "Always `function`."),
    (
        "property:ToolV2.function",
        "The function: its name, what it does, and a JSON Schema of its arguments.",
    ),
    ("schema:CitationOptions", "How the model cites its sources."),
    (
        "property:CitationOptions.mode",
        "Whether citations are made, and how carefully.",
    ),
    (
        "schema:ResponseFormatTypeV2",
        "The kind of answer asked for.",
    ),
    (
        "schema:ChatTextResponseFormatV2",
        "An answer in plain text.",
    ),
    (
        "schema:JsonResponseFormatV2",
        "An answer that is a JSON object.",
    ),
    (
        "property:JsonResponseFormatV2.json_schema",
        "A JSON Schema the answer must follow.",
    ),
    ("schema:ResponseFormatV2", "The form the answer must take."),
    (
        "schema:Thinking",
        "Whether the model reasons before it answers.",
    ),
    ("property:Thinking.type", "Reasoning on or off."),
    (
        "property:Thinking.token_budget",
        "The most tokens the reasoning may take.",
    ),
    ("schema:ChatFinishReason", "Why the model stopped writing."),
    (
        "schema:AssistantMessageResponse",
        "The model's message in an answer.",
    ),
    (
        "property:AssistantMessageResponse.role",
        "Always `assistant`.",
    ),
    (
        "property:AssistantMessageResponse.tool_calls",
        "The tool calls the model makes.",
    ),
    (
        "property:AssistantMessageResponse.tool_plan",
        "The model's plan before its tool calls.",
    ),
    (
        "property:AssistantMessageResponse.content",
        "The answer's blocks of text and reasoning.",
    ),
    (
        "property:AssistantMessageResponse.citations",
        "The citations of the answer.",
    ),
    ("schema:Usage", "What a call consumed."),
    ("property:Usage.billed_units", "The units billed."),
    ("property:Usage.tokens", "The tokens read and written."),
    (
        "property:Usage.cached_tokens",
        "Input tokens served from the prompt cache.",
    ),
    (
        "schema:LogprobItem",
        "The log probabilities of one piece of the answer.",
    ),
    ("property:LogprobItem.text", "The piece of text."),
    (
        "property:LogprobItem.token_ids",
        "The ids of the tokens that make it.",
    ),
    (
        "property:LogprobItem.logprobs",
        "The log probability of each of those tokens.",
    ),
    (
        "schema:ChatResponseV2",
        "A chat's answer: the model's message, why it stopped, and what it cost.",
    ),
    ("property:ChatResponseV2.id", "The answer's id."),
    (
        "property:ChatResponseV2.logprobs",
        "Log probabilities of the answer's tokens, when asked for.",
    ),
    (
        "schema:ChatStreamEventType",
        "What every event of a stream has: its type.",
    ),
    ("property:ChatStreamEventType.type", "The event's type."),
    (
        "schema:ChatMessageStartEvent",
        "The first event of a stream: the answer's id.",
    ),
    ("schema:ChatContentStartEvent", "A content block begins."),
    (
        "schema:ChatContentDeltaEvent",
        "More text for a content block.",
    ),
    ("schema:ChatContentEndEvent", "A content block is complete."),
    (
        "schema:ChatToolPlanDeltaEvent",
        "More text for the tool plan.",
    ),
    (
        "schema:ChatToolCallStartEvent",
        "A tool call begins: its id and name.",
    ),
    (
        "schema:ChatToolCallDeltaEvent",
        "More of a tool call's arguments.",
    ),
    ("schema:ChatToolCallEndEvent", "A tool call is complete."),
    ("schema:CitationStartEvent", "A citation, whole."),
    ("schema:CitationEndEvent", "A citation is complete."),
    (
        "schema:ChatMessageEndEvent",
        "The last event of a stream: why the model stopped, and what it cost.",
    ),
    (
        "schema:StreamedChatResponseV2",
        "One event of a streamed chat, told apart by its type.",
    ),
    (
        "schema:ErrorBody",
        "What the API answers when it refuses a request.",
    ),
    ("property:ErrorBody.message", "Why the request was refused."),
    (
        "property:ErrorBody.id",
        "The id of the failed request, for Cohere's support.",
    ),
    (
        "schema:Chatv2Request",
        "A chat request: the model, the conversation, and what the model may use.",
    ),
    (
        "property:Chatv2Request.stream",
        "Whether the answer comes as a stream of events.",
    ),
    ("property:Chatv2Request.model", "The model to ask."),
    (
        "property:Chatv2Request.tools",
        "The tools the model may call.",
    ),
    (
        "property:Chatv2Request.strict_tools",
        "Whether tool calls must follow the tools' schemas exactly.",
    ),
    (
        "property:Chatv2Request.documents",
        "Documents to ground the answer in: texts, or fields with ids.",
    ),
    (
        "property:Chatv2Request.safety_mode",
        "The safety instruction added to the prompt.",
    ),
    (
        "property:Chatv2Request.max_tokens",
        "The most tokens the answer may take.",
    ),
    (
        "property:Chatv2Request.stop_sequences",
        "Texts at which the model stops writing.",
    ),
    (
        "property:Chatv2Request.temperature",
        "How random the answer is.",
    ),
    (
        "property:Chatv2Request.seed",
        "A seed, for answers that repeat.",
    ),
    (
        "property:Chatv2Request.frequency_penalty",
        "How much repeating a token is discouraged, by how often it appeared.",
    ),
    (
        "property:Chatv2Request.presence_penalty",
        "How much repeating any token that appeared is discouraged.",
    ),
    (
        "property:Chatv2Request.k",
        "Sample only from the k likeliest tokens.",
    ),
    (
        "property:Chatv2Request.p",
        "Sample only from the likeliest tokens whose probabilities add up to p.",
    ),
    (
        "property:Chatv2Request.logprobs",
        "Whether the answer carries its tokens' log probabilities.",
    ),
    (
        "property:Chatv2Request.tool_choice",
        "Whether the model must call a tool, or must not.",
    ),
    (
        "property:Chatv2Request.priority",
        "How the request is scheduled against the organization's others.",
    ),
];

/// [`super::docs::document_items`] for the chat fragment.
pub fn document_chat_items(document: &mut Value) -> Result<Vec<String>> {
    super::docs::document_with(document, TITLE, DOCS, "xtask/src/spec/chat_docs.rs")
}
