package dev.tollgate.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tollgate.testing.FakeBilling.Exchange;
import dev.tollgate.testing.FakeBilling.Output;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A fake OpenAI-compatible upstream: a real HTTP server on a free port of 127.0.0.1 serving
 * {@code POST /v1/chat/completions}, JSON or server-sent events like OpenAI. Its behaviour is
 * steered by directives in the content of the last user message, so that any test — including one
 * against the packaged application — can ask for it:
 *
 * <ul>
 * <li>{@code [[fake:words=N]]} answer N words {@code "w1 w2 …"} (default 5); completion_tokens = N + reasoning</li>
 * <li>{@code [[fake:prompt-tokens=N]]} reported prompt_tokens (default 20); {@code [[fake:prompt-tokens=counted]]}
 * counts the request's prompt as OpenAI bills a gpt-4o-family model ({@link FakeBilling})</li>
 * <li>{@code [[fake:cached=N]]} prompt_tokens_details.cached_tokens (included in prompt_tokens, default 0)</li>
 * <li>{@code [[fake:reasoning=N]]} completion_tokens_details.reasoning_tokens (included in completion_tokens, default 0)</li>
 * <li>{@code [[fake:no-usage]]} no usage at all (not even the usage chunk of a stream)</li>
 * <li>{@code [[fake:fail=STATUS]]} answer that status with an OpenAI-style error body (400 and 401
 * messages quote the bearer key, as some providers do, so tests can check it never leaks; 429 adds
 * {@code Retry-After: 7})</li>
 * <li>{@code [[fake:stall]]} accept the request and never answer</li>
 * <li>{@code [[fake:stall-after=K]]} stream K events, then go silent</li>
 * <li>{@code [[fake:drop-after=K]]} stream K events, then close the connection mid-body</li>
 * <li>{@code [[fake:delay-ms=N]]} wait N ms before answering</li>
 * <li>{@code [[fake:chunk-delay-ms=N]]} wait N ms between stream events</li>
 * <li>{@code [[fake:tool-call=NAME]]} answer a call of function NAME with arguments
 * {@code {"w":"w1 w2 … wN"}} (N = words); completion_tokens = the o200k tokens of NAME and of the
 * arguments + reasoning; finish_reason {@code tool_calls}</li>
 * <li>{@code [[fake:ignore-max-tokens]]} generate everything asked, past the request's budget</li>
 * <li>{@code [[fake:tag=XYZ]]} name the request in the fake's billing records (default null)</li>
 * </ul>
 *
 * The output honours the request's budget ({@code max_completion_tokens}, else {@code max_tokens}):
 * reasoning tokens first (hidden: only counted), then the words (one token each) or the tool's name
 * and argument pieces (one token each), ending with {@code finish_reason: "length"} when the budget
 * is spent.
 *
 * <p>A stream's events are: one chunk per word (the first with {@code role}), a chunk with
 * {@code finish_reason: "stop"}, a usage chunk with {@code choices: []} when the request asked for
 * {@code stream_options.include_usage}, and {@code data: [DONE]}; a comment line opens the stream.
 * A tool call streams as OpenAI does: a first chunk with {@code delta.tool_calls[0]} = {@code {index:
 * 0, id: "call_fake", type: "function", function: {name, arguments: ""}}}, then one chunk per piece
 * of {@code function.arguments}.
 *
 * <p>The fake keeps a billing record ({@link Billed}) per request, written when it ends the answer or
 * when the connection closes first: the usage it reported (or, with {@code no-usage} or a stream
 * without {@code include_usage}, would have reported); for a connection closed mid-answer, the prompt
 * and the tokens it had written; for an error status, or a connection closed before any answer
 * began ({@code stall}, {@code delay-ms}), a record of zeros.
 *
 * <p>One server per JVM ({@link #start()}), reachable from {@code @QuarkusTest} tests through
 * {@link #instance()}. Start and stop are bounded and log nothing.
 */
public final class FakeProvider {

    /** The key the tests configure; the fake records but does not check it. */
    public static final String API_KEY = "test-key";
    /** Every model the database seeds a price for. */
    public static final List<String> SEEDED_MODELS = List.of("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "o4-mini",
            "claude-3-5-haiku", "claude-sonnet-4");
    private static final long DROP_DELAY_MS = 50;
    private static final Pattern DIRECTIVE = Pattern.compile("\\[\\[fake:([a-z-]+)(?:=([^\\]]*))?\\]\\]");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String TOOL_CALL_ID = "call_fake";
    private static final int MAX_RECORDED = 200;

    private static FakeProvider running;

    private final LocalServer local;
    private final Vertx vertx;
    private final List<JsonObject> requests = new ArrayList<>();
    private final List<String> authorizations = new ArrayList<>();
    private final List<Billed> bills = new ArrayList<>();
    private final List<EndUser> endUsers = new ArrayList<>();
    private final AtomicInteger streamsClosedByClient = new AtomicInteger();
    private final Set<HttpServerRequest> open = ConcurrentHashMap.newKeySet();

    private FakeProvider(LocalServer local) {
        this.local = local;
        this.vertx = local.vertx();
    }

    /** Starts the fake unless this JVM runs one already; returns the running one. */
    public static synchronized FakeProvider start() {
        if (running == null) {
            running = LocalServer.start("the fake provider", 2, FakeProvider::new, FakeProvider::handle);
            Runtime.getRuntime().addShutdownHook(new Thread(FakeProvider::stopRunning, "fake-provider-stop"));
        }
        return running;
    }

    /** The running fake, for tests that inspect what it received. */
    public static synchronized FakeProvider instance() {
        if (running == null) {
            throw new IllegalStateException("the fake provider is not running (TollgateTestResources starts it)");
        }
        return running;
    }

    /** Stops the running fake, if any (bounded; open connections are closed). */
    public static synchronized void stopRunning() {
        if (running != null) {
            running.local.close();
            running = null;
        }
    }

    public int port() {
        return local.port();
    }

    /** What {@code tollgate.providers.<name>.base-url} should be. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** The bodies received since the last {@link #reset()}, oldest first (at most the last 200). */
    public synchronized List<JsonObject> requests() {
        return requests.stream().map(JsonObject::copy).toList();
    }

    /** The most recent body received. */
    public synchronized JsonObject lastRequest() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("the fake provider has received no request");
        }
        return requests.get(requests.size() - 1).copy();
    }

    /** The {@code Authorization} headers received (empty string when absent), oldest first. */
    public synchronized List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** Streams whose connection the client closed before the fake had ended them. */
    public int streamsClosedByClient() {
        return streamsClosedByClient.get();
    }

    /** Requests the fake has accepted and not yet finished (stalled ones included). */
    public int openExchanges() {
        return open.size();
    }

    /**
     * What the fake billed for one request.
     *
     * @param tag the request's {@code [[fake:tag=…]]}, or null
     * @param promptTokens including cachedTokens; 0 when nothing was billed
     * @param completionTokens including reasoningTokens
     * @param reported the usage was sent to the client (in the body, or in a stream's usage chunk)
     * @param cutByClient the client closed the connection before the fake ended the answer
     */
    public record Billed(String tag, String model, long promptTokens, long cachedTokens, long completionTokens,
            long reasoningTokens, boolean reported, boolean cutByClient) {
    }

    /** The end-user fields of one request as the fake received them (null when absent). */
    public record EndUser(String tag, String user, String safetyIdentifier) {
    }

    /** The billing records of a tag ({@code null}: untagged requests), oldest first. */
    public synchronized List<Billed> billed(String tag) {
        return bills.stream().filter(bill -> Objects.equals(bill.tag(), tag)).toList();
    }

    /**
     * The billing records of a tag once there are at least {@code count} of them, or what there is
     * when the timeout has passed: a record is written when the exchange ends, which for a client
     * that hangs up comes a moment after the client has moved on.
     */
    public synchronized List<Billed> awaitBilled(String tag, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Billed> found = billed(tag);
        while (found.size() < count) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMs <= 0) {
                break;
            }
            try {
                wait(leftMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            found = billed(tag);
        }
        return found;
    }

    /** The {@code user} and {@code safety_identifier} of the requests received, oldest first. */
    public synchronized List<EndUser> endUsers() {
        return List.copyOf(endUsers);
    }

    public synchronized void reset() {
        requests.clear();
        authorizations.clear();
        bills.clear();
        endUsers.clear();
        streamsClosedByClient.set(0);
    }

    private synchronized void bill(Billed bill) {
        if (bill == null) {
            return;
        }
        bills.add(bill);
        if (bills.size() > MAX_RECORDED) {
            bills.remove(0);
        }
        notifyAll();
    }

    private void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST || !request.path().equals("/v1/chat/completions")) {
            request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                    .end(error("Unknown path", "invalid_request_error", null).encode());
            return;
        }
        request.body().onSuccess(bytes -> {
            JsonObject body;
            try {
                body = bytes.toJsonObject();
            } catch (RuntimeException e) {
                request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end(error("We could not parse the JSON body of your request.", "invalid_request_error", null).encode());
                return;
            }
            String authorization = request.getHeader("Authorization");
            Directives directives;
            try {
                directives = Directives.of(lastUserContent(body));
            } catch (IllegalArgumentException e) {
                record(body, authorization == null ? "" : authorization, null);
                request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end(error("Bad fake directive: " + e.getMessage(), "invalid_request_error", null).encode());
                return;
            }
            record(body, authorization == null ? "" : authorization, directives.tag);
            Exchange exchange = exchange(body, directives);
            open.add(request);
            Runnable closedEarly = () -> {
                if (open.remove(request)) {
                    boolean byClient = !directives.droppedByFake.get();
                    bill(exchange.interrupted(byClient));
                    if (body.getBoolean("stream", false) && byClient) {
                        streamsClosedByClient.incrementAndGet();
                    }
                }
            };
            // (Vert.x also runs a response's end handler when its connection closes first: not used here.)
            request.response().closeHandler(ignored -> closedEarly.run());
            request.connection().closeHandler(ignored -> closedEarly.run());
            if (directives.delayMs > 0) {
                vertx.setTimer(directives.delayMs, id -> answer(request, body, directives, exchange, authorization));
            } else {
                answer(request, body, directives, exchange, authorization);
            }
        });
    }

    private static Exchange exchange(JsonObject body, Directives directives) {
        long prompt = directives.countPrompt ? FakeBilling.countPrompt(body) : directives.promptTokens;
        return new Exchange(directives.tag, body.getValue("model") instanceof String m ? m : "unknown", prompt,
                directives.cached, FakeBilling.Output.of(directives, body));
    }

    private synchronized void record(JsonObject body, String authorization, String tag) {
        requests.add(body.copy());
        authorizations.add(authorization);
        endUsers.add(new EndUser(tag, field(body, "user"), field(body, "safety_identifier")));
        if (requests.size() > MAX_RECORDED) {
            requests.remove(0);
            authorizations.remove(0);
            endUsers.remove(0);
        }
    }

    private static String field(JsonObject body, String key) {
        Object value = body.getValue(key);
        return value == null ? null : value instanceof String s ? s : Json.encode(value);
    }

    private void answer(HttpServerRequest request, JsonObject body, Directives directives, Exchange exchange,
            String authorization) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            return;
        }
        if (directives.stall) {
            return; // accepted, never answered; the connection stays open until the client gives up
        }
        if (directives.fail > 0) {
            bill(exchange.refused());
            open.remove(request);
            fail(response, directives.fail, authorization);
            return;
        }
        String model = body.getString("model", "unknown");
        exchange.answered();
        if (body.getBoolean("stream", false)) {
            JsonObject options = body.getJsonObject("stream_options");
            boolean includeUsage = options != null && options.getBoolean("include_usage", false);
            boolean reported = includeUsage && !directives.noUsage;
            stream(request, streamEvents(model, directives, exchange, includeUsage), directives, exchange, reported);
        } else {
            bill(exchange.complete(!directives.noUsage));
            open.remove(request);
            response.putHeader("Content-Type", "application/json").end(completion(model, directives, exchange).encode());
        }
    }

    private static void fail(HttpServerResponse response, int status, String authorization) {
        String key = authorization == null ? "" : authorization.replaceFirst("^Bearer ", "");
        JsonObject body = switch (status) {
            case 400 -> error("Unrecognized request argument supplied: tollgate_fake (request sent with key " + key + ")",
                    "invalid_request_error", "tollgate_fake");
            case 401 -> error("Incorrect API key provided: " + key + ".", "invalid_request_error", null);
            case 429 -> error("Rate limit reached for requests.", "requests", null);
            default -> error("The server had an error while processing your request.", "server_error", null);
        };
        if (status == 429) {
            response.putHeader("Retry-After", "7");
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static JsonObject error(String message, String type, String param) {
        return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)
                .put("param", param).putNull("code"));
    }

    /** One server-sent event and the generated tokens it carries. */
    private record Event(String data, long tokens) {
    }

    private void stream(HttpServerRequest request, List<Event> events, Directives directives, Exchange exchange,
            boolean reported) {
        HttpServerResponse response = request.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache");
        response.write(": fake provider\n\n");
        writeFrom(request, events, 0, directives, exchange, reported);
    }

    /** Writes the events from {@code first} on: all at once, or one per chunk delay (a loop, never a deep recursion). */
    private void writeFrom(HttpServerRequest request, List<Event> events, int first, Directives directives,
            Exchange exchange, boolean reported) {
        HttpServerResponse response = request.response();
        for (int next = first;; next++) {
            if (response.closed()) {
                return;
            }
            if (next == directives.stallAfter) {
                return; // silent from here on; the connection stays open
            }
            if (next == directives.dropAfter) {
                directives.droppedByFake.set(true);
                // The connection goes away mid-body, without a terminating chunk. Closed (not reset) a
                // moment after the last event has left, so that the events already sent reach the
                // client: a TCP reset would let the client's kernel discard them unread.
                directives.lastWrite.onComplete(written -> vertx.setTimer(DROP_DELAY_MS, id -> request.connection().close()));
                return;
            }
            if (next == events.size()) {
                bill(exchange.complete(reported));
                open.remove(request);
                response.end();
                return;
            }
            exchange.wrote(events.get(next).tokens());
            directives.lastWrite = response.write("data: " + events.get(next).data() + "\n\n");
            if (directives.chunkDelayMs > 0) {
                int following = next + 1;
                vertx.setTimer(directives.chunkDelayMs, id -> writeFrom(request, events, following, directives, exchange, reported));
                return;
            }
        }
    }

    private static JsonObject completion(String model, Directives d, Exchange exchange) {
        Output output = exchange.output;
        JsonObject message = new JsonObject().put("role", "assistant");
        if (output.toolName() == null) {
            message.put("content", output.joined());
        } else {
            message.putNull("content").put("tool_calls", new JsonArray().add(new JsonObject()
                    .put("id", TOOL_CALL_ID)
                    .put("type", "function")
                    .put("function", new JsonObject().put("name", output.toolName()).put("arguments", output.joined()))));
        }
        JsonObject body = new JsonObject()
                .put("id", "chatcmpl-fake")
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", model)
                .put("choices", new JsonArray().add(new JsonObject()
                        .put("index", 0)
                        .put("message", message)
                        .put("finish_reason", output.finishReason())));
        if (!d.noUsage) {
            body.put("usage", usage(exchange));
        }
        return body;
    }

    private static List<Event> streamEvents(String model, Directives d, Exchange exchange, boolean includeUsage) {
        Output output = exchange.output;
        List<Event> events = new ArrayList<>();
        if (output.toolName() != null) {
            JsonObject call = new JsonObject().put("index", 0).put("id", TOOL_CALL_ID).put("type", "function")
                    .put("function", new JsonObject().put("name", output.toolName()).put("arguments", ""));
            events.add(new Event(delta(model, new JsonObject().put("role", "assistant").putNull("content")
                    .put("tool_calls", new JsonArray().add(call)), includeUsage), 0));
            for (String piece : output.pieces()) {
                JsonObject argumentsPiece = new JsonObject().put("index", 0)
                        .put("function", new JsonObject().put("arguments", piece));
                events.add(new Event(delta(model, new JsonObject().put("tool_calls", new JsonArray().add(argumentsPiece)),
                        includeUsage), 1));
            }
        } else {
            for (int i = 0; i < output.pieces().size(); i++) {
                JsonObject delta = new JsonObject();
                if (i == 0) {
                    delta.put("role", "assistant");
                }
                events.add(new Event(delta(model, delta.put("content", output.pieces().get(i)), includeUsage), 1));
            }
        }
        events.add(new Event(chunk(model, new JsonArray().add(new JsonObject().put("index", 0).put("delta", new JsonObject())
                .put("finish_reason", output.finishReason())), includeUsage).encode(), 0));
        if (includeUsage && !d.noUsage) {
            events.add(new Event(chunk(model, new JsonArray(), false).put("usage", usage(exchange)).encode(), 0));
        }
        events.add(new Event("[DONE]", 0));
        // The reasoning (and a tool's name) are generated before the first event leaves.
        events.set(0, new Event(events.get(0).data(), events.get(0).tokens() + output.leadTokens()));
        return events;
    }

    private static String delta(String model, JsonObject delta, boolean nullUsage) {
        return chunk(model, new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
                .putNull("finish_reason")), nullUsage).encode();
    }

    private static JsonObject chunk(String model, JsonArray choices, boolean nullUsage) {
        JsonObject chunk = new JsonObject()
                .put("id", "chatcmpl-fake")
                .put("object", "chat.completion.chunk")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", model)
                .put("choices", choices);
        if (nullUsage) {
            chunk.putNull("usage"); // as OpenAI does on every chunk but the last when usage was asked for
        }
        return chunk;
    }

    private static JsonObject usage(Exchange exchange) {
        long completion = exchange.output.completionTokens();
        return new JsonObject()
                .put("prompt_tokens", exchange.promptTokens)
                .put("completion_tokens", completion)
                .put("total_tokens", exchange.promptTokens + completion)
                .put("prompt_tokens_details", new JsonObject().put("cached_tokens", exchange.cachedTokens))
                .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", exchange.output.reasoningTokens()));
    }

    static String words(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            text.append(i == 1 ? "" : " ").append('w').append(i);
        }
        return text.toString();
    }

    /** The text of the last user message: a string, or the text parts of a content array. */
    static String lastUserContent(JsonObject body) {
        JsonArray messages = body.getJsonArray("messages");
        if (messages == null) {
            return "";
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            Object message = messages.getValue(i);
            if (message instanceof JsonObject m && "user".equals(m.getString("role"))) {
                Object content = m.getValue("content");
                if (content instanceof String text) {
                    return text;
                }
                if (content instanceof JsonArray parts) {
                    StringBuilder text = new StringBuilder();
                    for (Object part : parts) {
                        if (part instanceof JsonObject p && p.getValue("text") instanceof String t) {
                            text.append(t).append('\n');
                        }
                    }
                    return text.toString();
                }
                return "";
            }
        }
        return "";
    }

    /** The directives of one request. */
    static final class Directives {
        int words = 5;
        long promptTokens = 20;
        long cached;
        long reasoning;
        boolean noUsage;
        int fail;
        boolean stall;
        int stallAfter = -1;
        int dropAfter = -1;
        long delayMs;
        long chunkDelayMs;
        String tag;
        boolean countPrompt;
        boolean ignoreMaxTokens;
        String toolCall;
        final AtomicBoolean droppedByFake = new AtomicBoolean();
        /** The last event written, so that a drop comes after it has left. */
        io.vertx.core.Future<Void> lastWrite = io.vertx.core.Future.succeededFuture();

        static Directives of(String content) {
            Directives d = new Directives();
            Matcher matcher = DIRECTIVE.matcher(content);
            while (matcher.find()) {
                String value = matcher.group(2) == null ? "" : matcher.group(2).trim();
                switch (matcher.group(1)) {
                    case "words" -> d.words = Math.max(0, Math.min(10_000, Integer.parseInt(value)));
                    case "prompt-tokens" -> {
                        d.countPrompt = value.equals("counted");
                        d.promptTokens = d.countPrompt ? d.promptTokens : Long.parseLong(value);
                    }
                    case "cached" -> d.cached = Long.parseLong(value);
                    case "reasoning" -> d.reasoning = Long.parseLong(value);
                    case "no-usage" -> d.noUsage = true;
                    case "fail" -> d.fail = Integer.parseInt(value);
                    case "stall" -> d.stall = true;
                    case "stall-after" -> d.stallAfter = Integer.parseInt(value);
                    case "drop-after" -> d.dropAfter = Integer.parseInt(value);
                    case "delay-ms" -> d.delayMs = Long.parseLong(value);
                    case "chunk-delay-ms" -> d.chunkDelayMs = Long.parseLong(value);
                    case "tag" -> d.tag = value;
                    case "ignore-max-tokens" -> d.ignoreMaxTokens = true;
                    case "tool-call" -> {
                        if (!FUNCTION_NAME.matcher(value).matches()) {
                            throw new IllegalArgumentException("tool-call needs a function name ([A-Za-z0-9_-], at most 64)");
                        }
                        d.toolCall = value;
                    }
                    default -> throw new IllegalArgumentException("unknown fake directive " + matcher.group(1));
                }
            }
            return d;
        }
    }

    /** A body that asks for a chat completion of a model, with the given user message. */
    public static JsonObject chatRequest(String model, String userMessage) {
        return new JsonObject().put("model", model).put("messages", new JsonArray()
                .add(new JsonObject().put("role", "system").put("content", "You are a test."))
                .add(new JsonObject().put("role", "user").put("content", userMessage)));
    }
}
