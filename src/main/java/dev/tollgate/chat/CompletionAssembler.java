package dev.tollgate.chat;

import java.util.Map;
import java.util.TreeMap;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Builds the {@code chat.completion} a client that did not ask for a stream expects, from the
 * chunks of the stream Tollgate asked the provider for: per choice the role, the content and
 * refusal (joined), the tool calls (by index: id, type, name, the arguments joined) or the legacy
 * function call, the log probabilities and the finish reason; the id, creation time, model, system
 * fingerprint and service tier of the chunks; and the usage of the last one.
 */
final class CompletionAssembler {

    private final JsonObject completion = new JsonObject().put("object", "chat.completion");
    private final Map<Integer, Choice> choices = new TreeMap<>();

    void add(String chunkJson) {
        JsonObject chunk;
        try {
            chunk = new JsonObject(chunkJson);
        } catch (RuntimeException e) {
            return;
        }
        for (String field : new String[] { "id", "created", "model", "system_fingerprint", "service_tier" }) {
            Object value = chunk.getValue(field);
            if (value != null && !completion.containsKey(field)) {
                completion.put(field, value);
            }
        }
        if (chunk.getValue("usage") instanceof JsonObject usage) {
            completion.put("usage", usage);
        }
        if (chunk.getValue("choices") instanceof JsonArray list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.getValue(i) instanceof JsonObject choice) {
                    int index = choice.getValue("index") instanceof Number n ? n.intValue() : 0;
                    choices.computeIfAbsent(index, Choice::new).add(choice);
                }
            }
        }
    }

    /** The completion as assembled so far. */
    JsonObject completion() {
        JsonObject result = completion.copy();
        JsonArray list = new JsonArray();
        choices.values().forEach(choice -> list.add(choice.toJson()));
        result.put("choices", list);
        return result;
    }

    /** One choice, built from its deltas. */
    private static final class Choice {

        private final int index;
        private String role;
        private StringBuilder content;
        private StringBuilder refusal;
        private StringBuilder reasoning;
        private final Map<Integer, JsonObject> toolCalls = new TreeMap<>();
        private JsonObject functionCall;
        private JsonArray logprobs;
        private Object finishReason;

        Choice(int index) {
            this.index = index;
        }

        void add(JsonObject choice) {
            if (choice.getValue("finish_reason") != null) {
                finishReason = choice.getValue("finish_reason");
            }
            if (choice.getValue("logprobs") instanceof JsonObject probabilities
                    && probabilities.getValue("content") instanceof JsonArray tokens) {
                logprobs = logprobs == null ? new JsonArray() : logprobs;
                logprobs.addAll(tokens);
            }
            if (!(choice.getValue("delta") instanceof JsonObject delta)) {
                return;
            }
            if (delta.getValue("role") instanceof String r) {
                role = r;
            }
            content = append(content, delta.getValue("content"));
            refusal = append(refusal, delta.getValue("refusal"));
            reasoning = append(reasoning, delta.getValue("reasoning_content"));
            if (delta.getValue("function_call") instanceof JsonObject call) {
                functionCall = merge(functionCall == null ? new JsonObject() : functionCall, call);
            }
            if (delta.getValue("tool_calls") instanceof JsonArray calls) {
                for (int i = 0; i < calls.size(); i++) {
                    if (calls.getValue(i) instanceof JsonObject call) {
                        int callIndex = call.getValue("index") instanceof Number n ? n.intValue() : i;
                        JsonObject built = toolCalls.computeIfAbsent(callIndex,
                                k -> new JsonObject().put("type", "function").put("function", new JsonObject()));
                        if (call.getValue("id") instanceof String id) {
                            built.put("id", id);
                        }
                        if (call.getValue("type") instanceof String type) {
                            built.put("type", type);
                        }
                        if (call.getValue("function") instanceof JsonObject function) {
                            merge(built.getJsonObject("function"), function);
                        }
                    }
                }
            }
        }

        /** Joins the text fields of a function delta ({@code name}, {@code arguments}) into what was built. */
        private static JsonObject merge(JsonObject built, JsonObject delta) {
            for (String field : new String[] { "name", "arguments" }) {
                if (delta.getValue(field) instanceof String part) {
                    built.put(field, built.getString(field, "") + part);
                }
            }
            return built;
        }

        JsonObject toJson() {
            JsonObject message = new JsonObject()
                    .put("role", role == null ? "assistant" : role)
                    .put("content", content == null ? null : content.toString())
                    .put("refusal", refusal == null ? null : refusal.toString());
            if (reasoning != null) {
                message.put("reasoning_content", reasoning.toString());
            }
            if (!toolCalls.isEmpty()) {
                JsonArray calls = new JsonArray();
                toolCalls.values().forEach(call -> {
                    call.getJsonObject("function").put("arguments", call.getJsonObject("function").getString("arguments", ""));
                    calls.add(call);
                });
                message.put("tool_calls", calls);
            }
            if (functionCall != null) {
                message.put("function_call", functionCall.put("arguments", functionCall.getString("arguments", "")));
            }
            return new JsonObject()
                    .put("index", index)
                    .put("message", message)
                    .put("logprobs", logprobs == null ? null : new JsonObject().put("content", logprobs))
                    .put("finish_reason", finishReason);
        }

        private static StringBuilder append(StringBuilder text, Object part) {
            if (part instanceof String s) {
                return (text == null ? new StringBuilder() : text).append(s);
            }
            return text;
        }
    }
}
