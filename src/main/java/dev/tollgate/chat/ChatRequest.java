package dev.tollgate.chat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.tokens.ChatMessage;

/**
 * The parts of an OpenAI Chat Completions request that Tollgate uses, validated; everything else
 * the client sent is passed upstream untouched (clients send fields we do not know, and that is
 * fine). {@code metadata.character_id} and {@code metadata.conversation_id} (or the headers
 * {@code X-Tollgate-Character-Id} and {@code X-Tollgate-Conversation-Id}) say what the call is
 * about; they are taken out before the request goes upstream.
 */
record ChatRequest(String model, List<ChatMessage> messages, Integer requestedMaxTokens, String maxTokensField,
        boolean stream, String characterId, String conversationId, ObjectNode upstreamBody) {

    static final int MAX_MESSAGES = 2_000;
    static final int MAX_OUTPUT_TOKENS = 1_000_000;
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
    private static final Pattern LABEL = Pattern.compile("[\\x21-\\x7E]{1,128}");

    static ChatRequest parse(ObjectNode body, String characterHeader, String conversationHeader) {
        if (body == null) {
            throw new InvalidRequestException("A body is required.");
        }
        ObjectNode upstream = body.deepCopy();
        String model = text(body, "model");
        if (model == null || !MODEL.matcher(model).matches()) {
            throw new InvalidRequestException("'model' is required and must be a model name.");
        }
        JsonNode messagesNode = body.get("messages");
        if (messagesNode == null || !messagesNode.isArray() || messagesNode.isEmpty() || messagesNode.size() > MAX_MESSAGES) {
            throw new InvalidRequestException("'messages' is required: a list of 1 to " + MAX_MESSAGES + " messages.");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode message : messagesNode) {
            messages.add(message(message));
        }
        String maxField = null;
        Integer maxTokens = null;
        for (String field : List.of("max_completion_tokens", "max_tokens")) {
            JsonNode value = body.get(field);
            if (value != null && !value.isNull()) {
                if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1
                        || value.intValue() > MAX_OUTPUT_TOKENS) {
                    throw new InvalidRequestException("'" + field + "' must be a whole number from 1 to " + MAX_OUTPUT_TOKENS + ".");
                }
                if (maxField == null) {
                    maxField = field;
                    maxTokens = value.intValue();
                }
            }
        }
        // The hold and the output cap are sized for one answer: n > 1 would make the provider generate
        // several against them.
        JsonNode choices = body.get("n");
        if (choices != null && !choices.isNull() && !(choices.isIntegralNumber() && choices.asLong() == 1)) {
            throw new InvalidRequestException("'n' must be 1 (or absent): a call is metered and held for one answer.");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw new InvalidRequestException("'stream' must be true or false.");
        }
        String character = label("X-Tollgate-Character-Id", characterHeader);
        String conversation = label("X-Tollgate-Conversation-Id", conversationHeader);
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw new InvalidRequestException("'metadata' must be an object.");
            }
            ObjectNode rest = ((ObjectNode) metadata).deepCopy();
            character = character != null ? character : label("metadata.character_id", textOrNull(rest.remove("character_id")));
            conversation = conversation != null ? conversation
                    : label("metadata.conversation_id", textOrNull(rest.remove("conversation_id")));
            if (rest.isEmpty()) {
                upstream.remove("metadata");
            } else {
                upstream.set("metadata", rest);
            }
        }
        return new ChatRequest(model, List.copyOf(messages), maxTokens, maxField, stream != null && stream.asBoolean(),
                character, conversation, upstream);
    }

    /** The request to send upstream, with the output budget Tollgate allows. */
    ObjectNode upstreamWithMaxTokens(long maxTokens) {
        ObjectNode copy = upstreamBody.deepCopy();
        String field = maxTokensField != null ? maxTokensField : "max_tokens";
        copy.put(field, maxTokens);
        return copy;
    }

    private static ChatMessage message(JsonNode message) {
        if (!message.isObject()) {
            throw new InvalidRequestException("Every message is an object with a 'role'.");
        }
        String role = text(message, "role");
        if (role == null || role.isBlank() || role.length() > 32) {
            throw new InvalidRequestException("Every message needs a 'role'.");
        }
        JsonNode name = message.get("name");
        if (name != null && !name.isNull() && (!name.isTextual() || name.asText().length() > 64)) {
            throw new InvalidRequestException("A message 'name' is a string of at most 64 characters.");
        }
        return new ChatMessage(role, content(message.get("content")), name == null || name.isNull() ? null : name.asText());
    }

    /** The text of a message: a string, or the text parts of a list of parts; other parts count no text. */
    private static String content(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (Iterator<JsonNode> parts = content.elements(); parts.hasNext();) {
                JsonNode part = parts.next();
                if (!part.isObject()) {
                    throw new InvalidRequestException("A message content part is an object.");
                }
                JsonNode partText = part.get("text");
                if (partText != null && partText.isTextual()) {
                    text.append(partText.asText());
                }
            }
            return text.toString();
        }
        throw new InvalidRequestException("A message 'content' is a string or a list of parts.");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRequestException("'" + field + "' must be a string.");
        }
        return value.asText();
    }

    private static String textOrNull(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRequestException("Character and conversation ids are strings.");
        }
        return value.asText();
    }

    private static String label(String name, String value) {
        if (value == null) {
            return null;
        }
        if (!LABEL.matcher(value).matches()) {
            throw new InvalidRequestException("'" + name + "' is 1 to 128 visible ASCII characters.");
        }
        return value;
    }
}
