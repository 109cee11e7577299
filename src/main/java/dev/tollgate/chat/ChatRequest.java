package dev.tollgate.chat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.tokens.Prompt;
import dev.tollgate.tokens.UnsupportedContentException;

/**
 * An OpenAI Chat Completions request, validated, and what is sent upstream: an allow-list of the
 * fields the client sent ({@link #FORWARDED}), with what Tollgate sets itself — the output budget
 * (one of {@code max_tokens} / {@code max_completion_tokens}, capped), {@code stream: true} with
 * usage, {@code store: false} unless allowed, and the end-user id. Fields that would make the
 * provider bill what Tollgate cannot price are refused ({@link #REFUSED}, 422
 * {@code unsupported-content}); any other field is not sent, and the answer names it
 * ({@code X-Tollgate-Ignored-Fields}). {@code metadata.character_id} and
 * {@code metadata.conversation_id} (or the headers {@code X-Tollgate-Character-Id} and
 * {@code X-Tollgate-Conversation-Id}) say what the call is about.
 */
record ChatRequest(String model, Prompt prompt, Integer requestedMaxTokens, String maxTokensField, boolean stream,
        String characterId, String conversationId, ObjectNode forwarded, List<String> ignoredFields,
        boolean sentSafetyIdentifier) {

    static final int MAX_OUTPUT_TOKENS = 1_000_000;
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
    private static final Pattern LABEL = Pattern.compile("[\\x21-\\x7E]{1,128}");

    /** Sent upstream as the client wrote them. */
    static final Set<String> FORWARDED = Set.of("messages", "frequency_penalty", "presence_penalty", "logit_bias",
            "logprobs", "top_logprobs", "temperature", "top_p", "seed", "stop", "response_format", "tools", "tool_choice",
            "parallel_tool_calls", "functions", "function_call", "reasoning_effort", "verbosity", "prompt_cache_key");

    /** Refused: the provider would bill them in ways Tollgate does not price (and why). */
    static final Map<String, String> REFUSED = Map.of(
            "audio", "Audio output is not metered by Tollgate.",
            "prediction", "Predicted outputs are not metered by Tollgate.",
            "web_search_options", "Web search is billed per search, which Tollgate does not price.");

    /** Read and set by Tollgate itself (never sent as the client wrote them). */
    private static final Set<String> OWN = Set.of("model", "max_tokens", "max_completion_tokens", "n", "stream",
            "stream_options", "store", "metadata", "modalities", "service_tier", "user", "safety_identifier");

    static ChatRequest parse(ObjectNode body, String characterHeader, String conversationHeader, boolean storeAllowed) {
        if (body == null) {
            throw new InvalidRequestException("A body is required.");
        }
        String model = text(body, "model");
        if (model == null || !MODEL.matcher(model).matches()) {
            throw new InvalidRequestException("'model' is required and must be a model name.");
        }
        refuseUnpriced(body);
        Prompt prompt = PromptParser.parse(body);
        String maxField = null;
        Integer maxTokens = null;
        for (String field : List.of("max_completion_tokens", "max_tokens")) {
            JsonNode value = body.get(field);
            if (value != null && !value.isNull()) {
                if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1
                        || value.intValue() > MAX_OUTPUT_TOKENS) {
                    throw new InvalidRequestException("'" + field + "' must be a whole number from 1 to " + MAX_OUTPUT_TOKENS + ".");
                }
                if (maxField != null) {
                    throw new InvalidRequestException("Send one of 'max_tokens' and 'max_completion_tokens', not both.");
                }
                maxField = field;
                maxTokens = value.intValue();
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
        JsonNode store = body.get("store");
        if (store != null && !store.isNull() && !store.isBoolean()) {
            throw new InvalidRequestException("'store' must be true or false.");
        }
        boolean stored = storeAllowed && store != null && store.asBoolean();
        String character = label("X-Tollgate-Character-Id", characterHeader);
        String conversation = label("X-Tollgate-Conversation-Id", conversationHeader);
        ObjectNode forwarded = body.objectNode();
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw new InvalidRequestException("'metadata' must be an object.");
            }
            ObjectNode rest = ((ObjectNode) metadata).deepCopy();
            character = character != null ? character : label("metadata.character_id", textOrNull(rest.remove("character_id")));
            conversation = conversation != null ? conversation
                    : label("metadata.conversation_id", textOrNull(rest.remove("conversation_id")));
            if (stored && !rest.isEmpty()) {
                forwarded.set("metadata", rest); // the provider keeps metadata only with a stored completion
            }
        }
        List<String> ignored = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (FORWARDED.contains(field.getKey())) {
                forwarded.set(field.getKey(), field.getValue());
            } else if (!OWN.contains(field.getKey())) {
                ignored.add(field.getKey());
            }
        }
        if (stored) {
            forwarded.put("store", true);
        }
        JsonNode tier = body.get("service_tier");
        if (tier != null && !tier.isNull()) {
            forwarded.set("service_tier", tier);
        }
        JsonNode safetyIdentifier = body.get("safety_identifier");
        return new ChatRequest(model, prompt, maxTokens, maxField, stream != null && stream.asBoolean(), character,
                conversation, forwarded, List.copyOf(ignored), safetyIdentifier != null && !safetyIdentifier.isNull());
    }

    /**
     * The body to send upstream: the forwarded fields, the output budget Tollgate allows under the
     * field the client used (else {@code defaultField}), {@code store: false} unless allowed and
     * asked for, and the end-user id as {@code user} (and as {@code safety_identifier} when the
     * client sent one). {@code stream} and {@code stream_options} are the provider client's.
     */
    ObjectNode upstreamBody(long maxTokens, String defaultField, String endUserId) {
        ObjectNode body = forwarded.deepCopy();
        body.put("model", model);
        body.put(maxTokensField != null ? maxTokensField : defaultField, maxTokens);
        if (!body.has("store")) {
            body.put("store", false);
        }
        body.put("user", endUserId);
        if (sentSafetyIdentifier) {
            body.put("safety_identifier", endUserId);
        }
        return body;
    }

    private static void refuseUnpriced(ObjectNode body) {
        for (Map.Entry<String, String> refused : REFUSED.entrySet()) {
            JsonNode value = body.get(refused.getKey());
            if (value != null && !value.isNull()) {
                throw UnsupportedContentException.of(refused.getKey(), refused.getValue());
            }
        }
        JsonNode modalities = body.get("modalities");
        if (modalities != null && !modalities.isNull()) {
            if (!modalities.isArray()) {
                throw new InvalidRequestException("'modalities' is a list.");
            }
            for (JsonNode modality : modalities) {
                if (!"text".equals(modality.asText(null))) {
                    throw UnsupportedContentException.of("modalities", "Only text output is metered by Tollgate.");
                }
            }
        }
        JsonNode tier = body.get("service_tier");
        if (tier != null && !tier.isNull()) {
            if (!tier.isTextual()) {
                throw new InvalidRequestException("'service_tier' must be a string.");
            }
            if (!Set.of("auto", "default").contains(tier.asText())) {
                throw UnsupportedContentException.of("service_tier",
                        "Only the default service tier is priced by Tollgate ('auto' or 'default').");
            }
        }
        for (String field : List.of("user", "safety_identifier")) {
            JsonNode value = body.get(field);
            if (value != null && !value.isNull() && !value.isTextual()) {
                throw new InvalidRequestException("'" + field + "' must be a string.");
            }
        }
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
