package dev.tollgate.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.tokens.ChatMessage;
import dev.tollgate.tokens.Prompt;
import dev.tollgate.tokens.PromptImage;
import dev.tollgate.tokens.UnsupportedContentException;

/**
 * Reads everything of an OpenAI Chat Completions request that the provider bills as prompt: the
 * messages (text parts, images, tool calls and their results, names, refusals), the definitions
 * (tools, legacy functions, tool choice, response format) — into a {@link Prompt}, validating each
 * part on the way. A part Tollgate cannot count or price is refused with 422
 * {@code unsupported-content}; a malformed one with 400.
 */
final class PromptParser {

    static final int MAX_MESSAGES = 2_000;
    static final int MAX_TOOLS = 128;
    static final int MAX_TOOL_CALLS = 128;
    static final int MAX_IMAGES = 100;
    static final int MAX_NAME_LENGTH = 64;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
    private static final Set<String> DETAILS = Set.of("low", "high", "auto");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final List<ChatMessage> messages = new ArrayList<>();
    private final List<String> definitions = new ArrayList<>();
    private final List<PromptImage> images = new ArrayList<>();

    private PromptParser() {
    }

    /** The prompt of a request body (an object; its model and fields are checked elsewhere). */
    static Prompt parse(JsonNode body) {
        PromptParser parser = new PromptParser();
        parser.messages(body.get("messages"));
        parser.tools(body.get("tools"));
        parser.functions(body.get("functions"));
        parser.choice("tool_choice", body.get("tool_choice"));
        parser.choice("function_call", body.get("function_call"));
        parser.responseFormat(body.get("response_format"));
        return new Prompt(parser.messages, parser.definitions, parser.images);
    }

    private void messages(JsonNode list) {
        if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_MESSAGES) {
            throw new InvalidRequestException("'messages' is required: a list of 1 to " + MAX_MESSAGES + " messages.");
        }
        for (JsonNode message : list) {
            messages.add(message(message));
        }
    }

    private ChatMessage message(JsonNode message) {
        if (!message.isObject()) {
            throw new InvalidRequestException("Every message is an object with a 'role'.");
        }
        String role = text(message, "role", "A message's 'role'");
        if (role == null || !ROLES.contains(role)) {
            throw new InvalidRequestException("Every message needs a 'role': one of " + String.join(", ", ROLES.stream().sorted().toList()) + ".");
        }
        if (present(message.get("audio"))) {
            throw UnsupportedContentException.of("messages[].audio", "Audio in messages is not metered by Tollgate.");
        }
        String name = text(message, "name", "A message 'name'");
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            throw new InvalidRequestException("A message 'name' is a string of at most " + MAX_NAME_LENGTH + " characters.");
        }
        StringBuilder content = new StringBuilder(content(message.get("content")));
        String refusal = text(message, "refusal", "A message's 'refusal'");
        if (refusal != null) {
            content.append(refusal);
        }
        List<ChatMessage.ToolCall> calls = toolCalls(message.get("tool_calls"));
        JsonNode functionCall = message.get("function_call");
        if (present(functionCall)) {
            calls = new ArrayList<>(calls);
            calls.add(functionCall(functionCall, null));
        }
        String toolCallId = text(message, "tool_call_id", "A message's 'tool_call_id'");
        return new ChatMessage(role, content.toString(), name, calls, toolCallId);
    }

    /** The text of a message: a string, or its text and refusal parts; its image parts are kept aside. */
    private String content(JsonNode content) {
        if (!present(content)) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw new InvalidRequestException("A message 'content' is a string or a list of parts.");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (!part.isObject()) {
                throw new InvalidRequestException("A message content part is an object with a 'type'.");
            }
            String type = text(part, "type", "A content part's 'type'");
            if (type == null) {
                throw new InvalidRequestException("A message content part is an object with a 'type'.");
            }
            switch (type) {
                case "text" -> text.append(requiredText(part, "text", "A text part's 'text'"));
                case "refusal" -> text.append(requiredText(part, "refusal", "A refusal part's 'refusal'"));
                case "image_url" -> image(part.get("image_url"));
                case "input_audio", "file" -> throw UnsupportedContentException.of("messages[].content[].type=" + type,
                        "Content parts of type '" + type + "' cannot be metered by Tollgate; send text or images.");
                default -> throw new InvalidRequestException("Unknown content part type '" + shortened(type)
                        + "': a part is text, refusal or image_url.");
            }
        }
        return text.toString();
    }

    private void image(JsonNode image) {
        if (image == null || !image.isObject()) {
            throw new InvalidRequestException("An image_url part has an 'image_url' object with a 'url'.");
        }
        String url = requiredText(image, "url", "An image's 'url'");
        String detail = text(image, "detail", "An image's 'detail'");
        if (detail != null && !DETAILS.contains(detail)) {
            throw new InvalidRequestException("An image's 'detail' is low, high or auto.");
        }
        if (images.size() == MAX_IMAGES) {
            throw new InvalidRequestException("A request has at most " + MAX_IMAGES + " images.");
        }
        images.add(new PromptImage(url, detail));
    }

    private static List<ChatMessage.ToolCall> toolCalls(JsonNode calls) {
        if (!present(calls)) {
            return List.of();
        }
        if (!calls.isArray() || calls.size() > MAX_TOOL_CALLS) {
            throw new InvalidRequestException("'tool_calls' is a list of at most " + MAX_TOOL_CALLS + " calls.");
        }
        List<ChatMessage.ToolCall> parsed = new ArrayList<>();
        for (JsonNode call : calls) {
            if (!call.isObject()) {
                throw new InvalidRequestException("A tool call is an object with 'id', 'type' and 'function'.");
            }
            String type = text(call, "type", "A tool call's 'type'");
            if (type != null && !type.equals("function")) {
                throw UnsupportedContentException.of("messages[].tool_calls[].type=" + shortened(type),
                        "Only function tool calls are metered by Tollgate.");
            }
            parsed.add(functionCall(call.get("function"), text(call, "id", "A tool call's 'id'")));
        }
        return parsed;
    }

    private static ChatMessage.ToolCall functionCall(JsonNode function, String id) {
        if (function == null || !function.isObject()) {
            throw new InvalidRequestException("A function call is an object with 'name' and 'arguments'.");
        }
        return new ChatMessage.ToolCall(id, requiredText(function, "name", "A function call's 'name'"),
                text(function, "arguments", "A function call's 'arguments'"));
    }

    private void tools(JsonNode tools) {
        for (JsonNode tool : definitionList(tools, "tools")) {
            if (!tool.isObject()) {
                throw new InvalidRequestException("A tool is an object with 'type' and 'function'.");
            }
            String type = requiredText(tool, "type", "A tool's 'type'");
            if (!type.equals("function")) {
                throw UnsupportedContentException.of("tools[].type=" + shortened(type),
                        "Only function tools are metered by Tollgate.");
            }
            function(tool.get("function"), "A tool's 'function'");
            definitions.add(tool.toString());
        }
    }

    private void functions(JsonNode functions) {
        for (JsonNode function : definitionList(functions, "functions")) {
            function(function, "A function");
            definitions.add(function.toString());
        }
    }

    /** The entries of the optional list {@code field}: none if it is absent, 400 if it is no list of at most {@link #MAX_TOOLS}. */
    private static Iterable<JsonNode> definitionList(JsonNode list, String field) {
        if (!present(list)) {
            return List.of();
        }
        if (!list.isArray() || list.size() > MAX_TOOLS) {
            throw new InvalidRequestException("'" + field + "' is a list of at most " + MAX_TOOLS + " " + field + ".");
        }
        return list;
    }

    /** A function definition: a name, and optionally a description (a string) and parameters (an object). */
    private static void function(JsonNode function, String what) {
        if (function == null || !function.isObject()) {
            throw new InvalidRequestException(what + " is an object with a 'name'.");
        }
        String name = requiredText(function, "name", what + "'s 'name'");
        if (!FUNCTION_NAME.matcher(name).matches()) {
            throw new InvalidRequestException(what + "'s 'name' is 1 to 64 letters, digits, '_', '-', '.' or ':'.");
        }
        text(function, "description", what + "'s 'description'");
        JsonNode parameters = function.get("parameters");
        if (present(parameters) && !parameters.isObject()) {
            throw new InvalidRequestException(what + "'s 'parameters' is a JSON Schema object.");
        }
    }

    /** {@code tool_choice} / {@code function_call}: a word ("auto", "none", "required") or an object, counted as its JSON. */
    private void choice(String field, JsonNode choice) {
        if (!present(choice)) {
            return;
        }
        if (!choice.isTextual() && !choice.isObject()) {
            throw new InvalidRequestException("'" + field + "' is a string or an object.");
        }
        definitions.add(choice.toString());
    }

    private void responseFormat(JsonNode format) {
        if (!present(format)) {
            return;
        }
        if (!format.isObject()) {
            throw new InvalidRequestException("'response_format' is an object with a 'type'.");
        }
        String type = requiredText(format, "type", "'response_format.type'");
        if (!Set.of("text", "json_object", "json_schema").contains(type)) {
            throw new InvalidRequestException("'response_format.type' is text, json_object or json_schema.");
        }
        definitions.add(format.toString());
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static String text(JsonNode node, String field, String what) {
        JsonNode value = node.get(field);
        if (!present(value)) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRequestException(what + " must be a string.");
        }
        return value.asText();
    }

    private static String requiredText(JsonNode node, String field, String what) {
        String value = text(node, field, what);
        if (value == null) {
            throw new InvalidRequestException(what + " is required.");
        }
        return value;
    }

    private static String shortened(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
