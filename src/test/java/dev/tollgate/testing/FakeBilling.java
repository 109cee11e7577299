package dev.tollgate.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

import dev.tollgate.testing.FakeProvider.Billed;
import dev.tollgate.testing.FakeProvider.Directives;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The fake provider's bill, apart from its HTTP: the prompt counted the way OpenAI bills a
 * gpt-4o-family model, the output the fake generates within a request's budget, and what one
 * exchange has cost so far.
 *
 * <p>The count is independent of Tollgate's own estimation on purpose (nothing here comes from
 * {@code src/main}), so that tests can reconcile what Tollgate charged against what a provider
 * billed. It follows the rules of hmarr's {@code openai-chat-tokens} (npm), on o200k_base:
 * <ul>
 * <li>per message 3 tokens + role + text content (a string, or the text parts) + name (+1 when
 * there is one); an assistant's {@code tool_calls} (or legacy {@code function_call}) add their
 * function name + arguments + 3 each; a legacy {@code function} message takes 2 off; images in
 * content parts by OpenAI's gpt-4o rule ({@link #imageTokens(long, long)}); + 3 for the reply;</li>
 * <li>{@code tools} of type function and legacy {@code functions} are rendered as OpenAI renders
 * them into the system prompt ({@link #functionsPrompt(List)}), + 9; with them, the first system
 * message counts with a trailing newline and, when there is a system message, 4 come off;</li>
 * <li>{@code tool_choice} (or {@code function_call}) {@code "none"} adds 1, a named function its
 * name + 4; {@code response_format} of type json_schema adds the tokens of its
 * {@code json_schema} object as compact JSON.</li>
 * </ul>
 * Checked against OpenAI's cookbook ("How to count tokens with tiktoken"), whose examples the API
 * billed at 124 (messages) and 101 (messages and a tool) prompt tokens for gpt-4o.
 */
final class FakeBilling {

    private static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private static final long MESSAGE_TOKENS = 3;
    private static final long NAME_TOKENS = 1;
    private static final long REPLY_TOKENS = 3;
    private static final long FUNCTION_MESSAGE_DISCOUNT_TOKENS = 2;
    private static final long CALL_TOKENS = 3;
    private static final long FUNCTIONS_TOKENS = 9;
    private static final long SYSTEM_SHARED_WITH_FUNCTIONS_TOKENS = 4;
    private static final long NAMED_CHOICE_TOKENS = 4;
    private static final long IMAGE_BASE_TOKENS = 85;
    private static final long IMAGE_TILE_TOKENS = 170;
    private static final double IMAGE_MAX_SIDE_PX = 2048;
    private static final double IMAGE_SHORT_SIDE_PX = 768;
    private static final double IMAGE_TILE_PX = 512;
    /** The size billed for an image the fake cannot read: the largest the rule leaves (8 tiles). */
    static final int UNREADABLE_IMAGE_WIDTH_PX = 768;
    static final int UNREADABLE_IMAGE_HEIGHT_PX = 2048;

    private FakeBilling() {
    }

    /** The o200k_base tokens of a text (special tokens counted as ordinary text). */
    static int tokens(String text) {
        return O200K.countTokensOrdinary(text);
    }

    /** The prompt tokens OpenAI would bill for this request body. */
    static long countPrompt(JsonObject body) {
        List<JsonObject> functions = functionDefinitions(body);
        boolean withFunctions = !functions.isEmpty();
        boolean padded = false;
        boolean anySystem = false;
        long count = 0;
        for (Object value : array(body.getValue("messages"))) {
            if (value instanceof JsonObject message) {
                boolean system = "system".equals(message.getValue("role"));
                anySystem |= system;
                boolean pad = withFunctions && system && !padded;
                padded |= pad;
                count += messageTokens(message, pad);
            }
        }
        count += REPLY_TOKENS;
        if (withFunctions) {
            count += tokens(functionsPrompt(functions)) + FUNCTIONS_TOKENS;
            if (anySystem) {
                count -= SYSTEM_SHARED_WITH_FUNCTIONS_TOKENS;
            }
        }
        count += choiceTokens(body.getValue("tool_choice")) + choiceTokens(body.getValue("function_call"));
        if (body.getValue("response_format") instanceof JsonObject format && "json_schema".equals(format.getValue("type"))
                && format.getValue("json_schema") instanceof JsonObject schema) {
            count += tokens(schema.encode());
        }
        return count;
    }

    private static long messageTokens(JsonObject message, boolean padContent) {
        String role = text(message.getValue("role"));
        long count = MESSAGE_TOKENS + tokens(role);
        count += contentTokens(message.getValue("content"), padContent);
        String name = text(message.getValue("name"));
        if (!name.isEmpty()) {
            count += tokens(name) + NAME_TOKENS;
        }
        if (role.equals("function")) {
            count -= FUNCTION_MESSAGE_DISCOUNT_TOKENS;
        }
        if (role.equals("assistant")) {
            List<Object> calls = new ArrayList<>();
            if (message.getValue("function_call") instanceof JsonObject call) {
                calls.add(call);
            }
            for (Object call : array(message.getValue("tool_calls"))) {
                if (call instanceof JsonObject c && c.getValue("function") instanceof JsonObject function) {
                    calls.add(function);
                }
            }
            for (Object call : calls) {
                JsonObject function = (JsonObject) call;
                count += tokens(text(function.getValue("name"))) + tokens(text(function.getValue("arguments"))) + CALL_TOKENS;
            }
        }
        return count;
    }

    /** A string content, or the text parts (and images) of a content array; padded with a newline if asked. */
    private static long contentTokens(Object content, boolean pad) {
        List<String> texts = new ArrayList<>();
        long images = 0;
        if (content instanceof String text) {
            texts.add(text);
        }
        for (Object part : array(content)) {
            if (part instanceof JsonObject p) {
                if (p.getValue("text") instanceof String text) {
                    texts.add(text);
                } else if (p.containsKey("image_url")) {
                    images += imageTokens(p);
                }
            }
        }
        if (pad) {
            if (texts.isEmpty()) {
                texts.add("\n");
            } else {
                texts.set(texts.size() - 1, texts.get(texts.size() - 1) + "\n");
            }
        }
        return images + texts.stream().mapToLong(FakeBilling::tokens).sum();
    }

    private static long choiceTokens(Object choice) {
        if ("none".equals(choice)) {
            return 1;
        }
        if (choice instanceof JsonObject named) {
            Object function = named.getValue("function");
            String name = function instanceof JsonObject f ? text(f.getValue("name")) : text(named.getValue("name"));
            return name.isEmpty() ? 0 : tokens(name) + NAMED_CHOICE_TOKENS;
        }
        return 0; // absent, "auto", "required"
    }

    /** The {@code tools} of type function and the legacy {@code functions} of a request. */
    private static List<JsonObject> functionDefinitions(JsonObject body) {
        List<JsonObject> functions = new ArrayList<>();
        for (Object tool : array(body.getValue("tools"))) {
            if (tool instanceof JsonObject t && "function".equals(t.getValue("type"))
                    && t.getValue("function") instanceof JsonObject function) {
                functions.add(function);
            }
        }
        for (Object function : array(body.getValue("functions"))) {
            if (function instanceof JsonObject f) {
                functions.add(f);
            }
        }
        return functions;
    }

    /**
     * Function definitions as OpenAI renders them into the system prompt: TypeScript-like types in
     * a {@code namespace functions}, descriptions as {@code //} comments (those of properties only
     * down to one nested level), optional properties with {@code ?}, enums as unions.
     */
    static String functionsPrompt(List<JsonObject> functions) {
        List<String> lines = new ArrayList<>(List.of("namespace functions {", ""));
        for (JsonObject function : functions) {
            String description = text(function.getValue("description"));
            if (!description.isEmpty()) {
                lines.add("// " + description);
            }
            String name = text(function.getValue("name"));
            JsonObject parameters = function.getValue("parameters") instanceof JsonObject p ? p : new JsonObject();
            if (object(parameters.getValue("properties")).isEmpty()) {
                lines.add("type " + name + " = () => any;");
            } else {
                lines.add("type " + name + " = (_: {");
                lines.add(properties(parameters, 0));
                lines.add("}) => any;");
            }
            lines.add("");
        }
        lines.add("} // namespace functions");
        return String.join("\n", lines);
    }

    private static String properties(JsonObject schema, int indent) {
        JsonArray required = schema.getValue("required") instanceof JsonArray r ? r : new JsonArray();
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Object> property : object(schema.getValue("properties"))) {
            JsonObject type = property.getValue() instanceof JsonObject t ? t : new JsonObject();
            String description = text(type.getValue("description"));
            if (!description.isEmpty() && indent < 2) {
                lines.add("// " + description);
            }
            String optional = required.contains(property.getKey()) ? "" : "?";
            lines.add(property.getKey() + optional + ": " + type(type, indent) + ",");
        }
        return String.join("\n", lines.stream().map(line -> " ".repeat(indent) + line).toList());
    }

    private static String type(JsonObject schema, int indent) {
        if (schema.getValue("anyOf") instanceof JsonArray anyOf) {
            return String.join(" | ", anyOf.stream()
                    .map(t -> type(t instanceof JsonObject o ? o : new JsonObject(), indent)).toList());
        }
        JsonArray values = schema.getValue("enum") instanceof JsonArray e ? e : null;
        return switch (text(schema.getValue("type"))) {
            case "string" -> values == null ? "string" : union(values, true);
            case "number", "integer" -> values == null ? "number" : union(values, false);
            case "boolean" -> "boolean";
            case "null" -> "null";
            case "object" -> "{\n" + properties(schema, indent + 2) + "\n}";
            case "array" -> schema.getValue("items") instanceof JsonObject items ? type(items, indent) + "[]" : "any[]";
            default -> "any";
        };
    }

    private static String union(JsonArray values, boolean quoted) {
        return String.join(" | ", values.stream().map(v -> {
            String value = v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    ? String.valueOf(n.longValue()) : String.valueOf(v);
            return quoted ? "\"" + value + "\"" : value;
        }).toList());
    }

    /**
     * The tokens of an {@code image_url} content part: 85 with {@code detail: "low"}, otherwise by
     * its size; the size is read from a {@code data:} URL (PNG, JPEG, GIF), and an image the fake
     * cannot read (an http(s) URL it does not fetch, or bytes it cannot decode) counts as
     * 768×2048, the largest the rule leaves.
     */
    static long imageTokens(JsonObject part) {
        Object image = part.getValue("image_url");
        String url = image instanceof String s ? s : "";
        String detail = "auto";
        if (image instanceof JsonObject o) {
            url = text(o.getValue("url"));
            detail = text(o.getValue("detail"));
        }
        if (detail.equals("low")) {
            return IMAGE_BASE_TOKENS;
        }
        int[] size = dataUrlSize(url);
        return size == null ? imageTokens(UNREADABLE_IMAGE_WIDTH_PX, UNREADABLE_IMAGE_HEIGHT_PX) : imageTokens(size[0], size[1]);
    }

    /**
     * OpenAI's rule for gpt-4o at high detail: fit in 2048×2048, scale down so that the short side
     * is 768, then 85 + 170 per 512-px tile.
     */
    static long imageTokens(long widthPx, long heightPx) {
        double width = widthPx;
        double height = heightPx;
        double longSide = Math.max(width, height);
        if (longSide > IMAGE_MAX_SIDE_PX) {
            width = width * IMAGE_MAX_SIDE_PX / longSide;
            height = height * IMAGE_MAX_SIDE_PX / longSide;
        }
        double shortSide = Math.min(width, height);
        if (shortSide > IMAGE_SHORT_SIDE_PX) {
            width = width * IMAGE_SHORT_SIDE_PX / shortSide;
            height = height * IMAGE_SHORT_SIDE_PX / shortSide;
        }
        return IMAGE_BASE_TOKENS + IMAGE_TILE_TOKENS * tiles(width) * tiles(height);
    }

    private static long tiles(double px) {
        return (long) Math.ceil(px / IMAGE_TILE_PX - 1e-9); // the epsilon absorbs the rounding of the scaling
    }

    /** Width and height of the image in a base64 {@code data:} URL, or null. */
    private static int[] dataUrlSize(String url) {
        int comma = url.indexOf(',');
        if (!url.startsWith("data:") || comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(url.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] { reader.getWidth(0), reader.getHeight(0) };
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The arguments of the fake's tool call for N words: {@code {"w":"w1 w2 … wN"}}. */
    static String toolArguments(int words) {
        return new JsonObject().put("w", FakeProvider.words(words)).encode();
    }

    /** A text cut at its o200k_base token boundaries: each piece is one token. */
    static List<String> tokenPieces(String text) {
        IntArrayList ids = O200K.encodeOrdinary(text);
        List<String> pieces = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            IntArrayList one = new IntArrayList(1);
            one.add(ids.get(i));
            pieces.add(O200K.decode(one));
        }
        return pieces;
    }

    /**
     * What the fake generates for one request.
     *
     * @param toolName the function called, or null for a text answer (also when the budget ran out
     *        before the name was generated)
     * @param pieces the visible output, one token each: words ({@code "w1"}, {@code " w2"}, …) or
     *        pieces of the tool call's arguments
     * @param leadTokens the tokens generated before the first piece: reasoning, then the tool's name
     * @param reasoningTokens the hidden reasoning tokens generated
     * @param finishReason {@code stop}, {@code tool_calls}, or {@code length} when the budget ran out
     */
    record Output(String toolName, List<String> pieces, long leadTokens, long reasoningTokens, String finishReason) {

        long completionTokens() {
            return leadTokens + pieces.size();
        }

        String joined() {
            return String.join("", pieces);
        }

        /**
         * Reasoning first, then the tool's name, then one token per piece, until the budget
         * ({@code max_completion_tokens}, else {@code max_tokens}; none with
         * {@code ignore-max-tokens}) is spent.
         */
        static Output of(Directives d, JsonObject body) {
            Long budget = d.ignoreMaxTokens ? null : budget(body);
            long left = budget == null ? Long.MAX_VALUE : budget;
            long reasoning = Math.min(d.reasoning, left);
            left -= reasoning;
            boolean cut = reasoning < d.reasoning;
            long lead = reasoning;
            String toolName = null;
            List<String> wanted = List.of();
            if (d.toolCall == null) {
                wanted = new ArrayList<>(d.words);
                for (int i = 1; i <= d.words; i++) {
                    wanted.add((i == 1 ? "" : " ") + "w" + i);
                }
            } else {
                long nameTokens = tokens(d.toolCall);
                if (left < nameTokens) {
                    lead += left;
                    left = 0;
                    cut = true;
                } else {
                    lead += nameTokens;
                    left -= nameTokens;
                    toolName = d.toolCall;
                    wanted = tokenPieces(toolArguments(d.words));
                }
            }
            int written = (int) Math.min(wanted.size(), left);
            cut |= written < wanted.size();
            String finish = cut ? "length" : toolName != null ? "tool_calls" : "stop";
            return new Output(toolName, List.copyOf(wanted.subList(0, written)), lead, reasoning, finish);
        }

        private static Long budget(JsonObject body) {
            for (String key : List.of("max_completion_tokens", "max_tokens")) {
                if (body.getValue(key) instanceof Number n) {
                    return Math.max(0, n.longValue());
                }
            }
            return null;
        }
    }

    /**
     * What one request has cost so far. It is billed once: when the fake ends it, or when its
     * connection closes first. All its calls come from the event loop of its connection.
     */
    static final class Exchange {
        final String tag;
        final String model;
        final long promptTokens;
        final long cachedTokens;
        final Output output;
        private boolean answered;
        private boolean firstWritten;
        private long writtenTokens;
        private boolean billed;

        Exchange(String tag, String model, long promptTokens, long cachedTokens, Output output) {
            this.tag = tag;
            this.model = model;
            this.promptTokens = promptTokens;
            this.cachedTokens = cachedTokens;
            this.output = output;
        }

        /** The fake began a 200 answer: the prompt is billed from here on. */
        synchronized void answered() {
            answered = true;
        }

        /** A stream event carrying this many generated tokens has been written. */
        synchronized void wrote(long tokens) {
            firstWritten = true;
            writtenTokens += tokens;
        }

        /** The whole answer was delivered; null if already billed. */
        synchronized Billed complete(boolean reported) {
            return once(new Billed(tag, model, promptTokens, cachedTokens, output.completionTokens(),
                    output.reasoningTokens(), reported, false));
        }

        /**
         * The connection closed before the fake ended the answer: what was written is billed (the
         * reasoning came before the first event), or nothing if no answer had begun; null if
         * already billed.
         */
        synchronized Billed interrupted(boolean byClient) {
            if (!answered) {
                return once(new Billed(tag, model, 0, 0, 0, 0, false, byClient));
            }
            return once(new Billed(tag, model, promptTokens, cachedTokens, writtenTokens,
                    firstWritten ? output.reasoningTokens() : 0, false, byClient));
        }

        /** Answered with an error status: nothing billed; null if already billed. */
        synchronized Billed refused() {
            return once(new Billed(tag, model, 0, 0, 0, 0, false, false));
        }

        private Billed once(Billed bill) {
            if (billed) {
                return null;
            }
            billed = true;
            return bill;
        }
    }

    private static JsonArray array(Object value) {
        return value instanceof JsonArray a ? a : new JsonArray();
    }

    private static JsonObject object(Object value) {
        return value instanceof JsonObject o ? o : new JsonObject();
    }

    private static String text(Object value) {
        return value instanceof String s ? s : "";
    }
}
