package dev.tollgate.tokens;

import java.util.List;

/**
 * One message of a chat prompt as the model sees it: its role ({@code system}, {@code user},
 * {@code assistant}, {@code tool}, …), its text (the text parts of its content, joined), the
 * optional participant name ({@code null} when absent), the tool calls of an assistant message and
 * the {@code tool_call_id} of a tool message ({@code null} when absent). A {@code null} role or
 * content counts as empty.
 */
public record ChatMessage(String role, String content, String name, List<ToolCall> toolCalls, String toolCallId) {

    public ChatMessage {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** A message of text only. */
    public ChatMessage(String role, String content, String name) {
        this(role, content, name, List.of(), null);
    }

    /** A call of a tool (or the legacy {@code function_call}) the assistant made: its id, function name and arguments. */
    public record ToolCall(String id, String name, String arguments) {
    }
}
