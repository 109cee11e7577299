package dev.tollgate.chat;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Watches the chunks of a streamed completion as they are read: keeps every piece of output the
 * provider billed and showed — content, refusal, reasoning text, the names and arguments of tool
 * and function calls — to count it if the provider reports no usage, and the usage of the final
 * chunk. Reasoning a model does not show is not here: that is why a reasoning model without usage
 * is billed at its whole output budget.
 */
final class ChunkObserver {

    private final StringBuilder generated = new StringBuilder();
    private final Set<String> toolCalls = new HashSet<>();
    private JsonObject usage;
    private long outputChunks;

    void observe(String chunkJson) {
        JsonObject chunk;
        try {
            chunk = new JsonObject(chunkJson);
        } catch (RuntimeException e) {
            return; // relayed as is; nothing to learn from it
        }
        if (chunk.getValue("usage") instanceof JsonObject chunkUsage) {
            usage = chunkUsage;
        }
        if (!(chunk.getValue("choices") instanceof JsonArray choices)) {
            return;
        }
        int before = generated.length();
        for (int i = 0; i < choices.size(); i++) {
            if (choices.getValue(i) instanceof JsonObject choice && choice.getValue("delta") instanceof JsonObject delta) {
                observe(choice.getValue("index"), delta);
            }
        }
        if (generated.length() > before) {
            outputChunks++;
        }
    }

    private void observe(Object choiceIndex, JsonObject delta) {
        append(delta.getValue("content"));
        append(delta.getValue("refusal"));
        append(delta.getValue("reasoning_content"));
        append(delta.getValue("reasoning"));
        if (delta.getValue("function_call") instanceof JsonObject call) {
            toolCalls.add(choiceIndex + ":function");
            append(call.getValue("name"));
            append(call.getValue("arguments"));
        }
        if (delta.getValue("tool_calls") instanceof JsonArray calls) {
            for (int i = 0; i < calls.size(); i++) {
                if (calls.getValue(i) instanceof JsonObject call) {
                    toolCalls.add(choiceIndex + ":" + call.getValue("index"));
                    if (call.getValue("function") instanceof JsonObject function) {
                        append(function.getValue("name"));
                        append(function.getValue("arguments"));
                    }
                }
            }
        }
    }

    /** All the output text seen, joined. */
    String generatedText() {
        return generated.toString();
    }

    /**
     * How many chunks carried output: a provider streams at least one token in each, so the output
     * it bills is at least this many tokens, whatever the budget it was given.
     */
    long outputChunks() {
        return outputChunks;
    }

    /** How many tool or function calls the output made. */
    int toolCallCount() {
        return toolCalls.size();
    }

    /** Whether the provider produced any output at all. */
    boolean producedOutput() {
        return generated.length() > 0 || !toolCalls.isEmpty();
    }

    /** The usage object of the final chunk, if one came. */
    Optional<JsonObject> usage() {
        return Optional.ofNullable(usage);
    }

    private void append(Object text) {
        if (text instanceof String s) {
            generated.append(s);
        }
    }
}
