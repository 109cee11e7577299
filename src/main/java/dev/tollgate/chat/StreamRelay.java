package dev.tollgate.chat;

import java.util.Optional;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Watches the chunks of a streamed completion as they are relayed: keeps the text generated so
 * far (to count it if the stream breaks or reports no usage) and the usage of the final chunk.
 */
final class StreamRelay {

    private final StringBuilder generated = new StringBuilder();
    private JsonObject usage;

    void observe(String chunkJson) {
        JsonObject chunk;
        try {
            chunk = new JsonObject(chunkJson);
        } catch (RuntimeException e) {
            return; // relayed as is; nothing to learn from it
        }
        JsonObject chunkUsage = chunk.getJsonObject("usage");
        if (chunkUsage != null) {
            usage = chunkUsage;
        }
        JsonArray choices = chunk.getJsonArray("choices");
        if (choices == null) {
            return;
        }
        for (int i = 0; i < choices.size(); i++) {
            JsonObject delta = choices.getJsonObject(i).getJsonObject("delta");
            if (delta != null) {
                append(delta.getValue("content"));
                append(delta.getValue("reasoning_content"));
                append(delta.getValue("refusal"));
            }
        }
    }

    String generatedText() {
        return generated.toString();
    }

    Optional<JsonObject> usage() {
        return Optional.ofNullable(usage);
    }

    private void append(Object text) {
        if (text instanceof String s) {
            generated.append(s);
        }
    }
}
