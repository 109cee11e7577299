package dev.tollgate.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.security.Authenticated;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.pricing.Usage;
import dev.tollgate.provider.ProviderClient;
import dev.tollgate.provider.ProviderReply;
import dev.tollgate.provider.ProviderStream;
import dev.tollgate.provider.UsageNormalizer;
import dev.tollgate.tokens.EstimationConfig;
import dev.tollgate.tokens.TokenEstimator;

/**
 * {@code POST /v1/chat/completions}: the metered chat call, OpenAI-compatible (request, response,
 * and {@code stream: true} as server-sent events), for the token's user. Estimate → hold (402 if
 * short) → upstream with {@code max_tokens} capped at what the user can afford → relay → real
 * usage (or counted, marked estimated) → settle. The provider is never called inside a
 * transaction.
 *
 * <p>The response says how the budget was capped: headers {@code X-Tollgate-Max-Tokens} (sent
 * upstream) and {@code X-Tollgate-Max-Tokens-Requested}, and for non-streaming answers a
 * {@code tollgate} object in the body.
 */
@Tag(name = "chat", description = "The metered chat call, compatible with OpenAI's Chat Completions API: any OpenAI client library works with base URL \u2026/v1 and the user's token as API key.")
@Path("/v1/chat/completions")
@Authenticated
public class ChatCompletionResource {

    private static final Logger LOG = Logger.getLogger(ChatCompletionResource.class);
    static final String CHARACTER_HEADER = "X-Tollgate-Character-Id";
    static final String CONVERSATION_HEADER = "X-Tollgate-Conversation-Id";

    @Inject
    ChatService chat;

    @Inject
    ProviderClient provider;

    @Inject
    TokenEstimator tokens;

    @Inject
    EstimationConfig estimation;

    @Inject
    ObjectMapper json;

    @Inject
    CurrentUser user;

    @Inject
    ClientContext client;

    @Operation(summary = "The metered chat call (OpenAI-compatible)",
            description = "Holds the estimate of the call (max_tokens capped at what the user can afford), calls the model's upstream, and settles on the real usage: the answer as JSON, or with stream: true as server-sent events ending with the usage. A cut stream or a client that goes away is still settled on what was generated. 402 before any provider call if the user cannot afford one output token; 502/503/504 with nothing charged if the provider fails before any output.")
    @APIResponse(responseCode = "200", description = "The completion (stream false) or its chunks as server-sent events (stream true); headers X-Tollgate-Max-Tokens and X-Tollgate-Max-Tokens-Requested tell whether max_tokens was capped.",
            content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON,
                            examples = @ExampleObject(name = "completion", value = "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I help?\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":7,\"total_tokens\":16},\"tollgate\":{\"costMillicredits\":6,\"chargedMillicredits\":6,\"estimated\":false}}")),
                    @Content(mediaType = MediaType.SERVER_SENT_EVENTS,
                            examples = @ExampleObject(name = "stream", value = "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\ndata: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":7,\"total_tokens\":16}}\n\ndata: [DONE]\n\n")) })
    @APIResponse(responseCode = "400", description = "Not a chat request (no model or messages), or the provider refused it.",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = ApiDocs.PROBLEM_SCHEMA),
                    examples = @ExampleObject(name = "invalid-request", value = ApiDocs.INVALID_REQUEST)))
    @APIResponse(responseCode = "402", description = "The user cannot afford one output token; no provider call was made.",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = ApiDocs.PROBLEM_SCHEMA),
                    examples = @ExampleObject(name = "insufficient-credits", value = ApiDocs.INSUFFICIENT_CREDITS)))
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used before (completions are not stored, so a key is used once).",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = ApiDocs.PROBLEM_SCHEMA),
                    examples = @ExampleObject(name = "idempotency-key-reused", value = ApiDocs.IDEMPOTENCY_KEY_REUSED)))
    @APIResponse(responseCode = "422", description = "The model has no price, or no upstream serves it.",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = ApiDocs.PROBLEM_SCHEMA),
                    examples = @ExampleObject(name = "model-not-served", value = "{\"type\":\"https://tollgate.dev/problems/model-not-served\",\"title\":\"Model not served\",\"status\":422,\"detail\":\"No upstream serves this model.\",\"model\":\"gpt-9\"}")))
    @APIResponse(responseCode = "502", description = "The provider failed before any output; nothing charged.",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = ApiDocs.PROBLEM_SCHEMA),
                    examples = @ExampleObject(name = "provider-error", value = "{\"type\":\"https://tollgate.dev/problems/provider-error\",\"title\":\"The AI provider failed\",\"status\":502,\"detail\":\"The AI provider answered with an error; nothing was charged.\"}")))
    @APIResponse(responseCode = "503", description = "The provider's circuit is open or it is busy; nothing charged.",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = ApiDocs.PROBLEM_SCHEMA),
                    examples = @ExampleObject(name = "provider-unavailable", value = "{\"type\":\"https://tollgate.dev/problems/provider-unavailable\",\"title\":\"The AI provider is unavailable\",\"status\":503,\"detail\":\"Try again later; nothing was charged.\",\"retryAfterSeconds\":10}")))
    @APIResponse(responseCode = "504", description = "The provider did not answer in time; nothing charged.",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = ApiDocs.PROBLEM_SCHEMA),
                    examples = @ExampleObject(name = "provider-timeout", value = "{\"type\":\"https://tollgate.dev/problems/provider-timeout\",\"title\":\"The AI provider did not answer in time\",\"status\":504,\"detail\":\"Nothing was charged.\"}")))
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS })
    public Response complete(
            @Parameter(description = "Request id of the call (default: a new one); a key is used once", example = "chat-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = "Character the call is about (or metadata.character_id)", example = "luna")
            @HeaderParam(CHARACTER_HEADER) String characterId,
            @Parameter(description = "Conversation the call is in (or metadata.conversation_id)", example = "conv-1")
            @HeaderParam(CONVERSATION_HEADER) String conversationId,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "chat", value = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":200,\"stream\":false,\"metadata\":{\"character_id\":\"luna\",\"conversation_id\":\"conv-1\"}}")))
            ObjectNode body) {
        ChatRequest request = ChatRequest.parse(body, characterId, conversationId);
        provider.requireServed(request.model());
        String requestId = idempotencyKey != null ? new IdempotencyKey(idempotencyKey).value()
                : "chatcmpl-" + UUID.randomUUID();
        RequestOrigin origin = client.origin();
        ChatService.HeldCall call = chat.hold(user.id(), requestId, request, estimation.defaultMaxOutputTokens(), origin);
        JsonObject upstream = new JsonObject(json.convertValue(request.upstreamWithMaxTokens(call.maxTokens()),
                java.util.Map.class));
        return request.stream() ? stream(request, call, upstream, origin) : once(request, call, upstream, origin);
    }

    private Response once(ChatRequest request, ChatService.HeldCall call, JsonObject upstream, RequestOrigin origin) {
        ProviderReply reply;
        try {
            reply = provider.complete(request.model(), upstream).await().indefinitely();
        } catch (RuntimeException e) {
            chat.release(call, origin);
            throw e;
        }
        JsonObject answer = reply.body();
        Optional<Usage> reported = reportedUsage(answer, call);
        Usage usage = reported.orElseGet(() -> counted(call, answerText(answer)));
        ChatService.Charge charge = chat.settle(call, usage, reported.isEmpty(), request.characterId(),
                request.conversationId(), origin);
        answer.put("tollgate", new JsonObject()
                .put("max_tokens_requested", call.requestedMaxTokens())
                .put("max_tokens", call.maxTokens())
                .put("capped", call.capped())
                .put("cost_millicredits", charge.cost().value())
                .put("usage_estimated", charge.estimated()));
        return capped(Response.ok(answer.encode(), MediaType.APPLICATION_JSON_TYPE), call).build();
    }

    private Response stream(ChatRequest request, ChatService.HeldCall call, JsonObject upstream, RequestOrigin origin) {
        ProviderStream opened;
        try {
            opened = provider.stream(request.model(), upstream).await().indefinitely();
        } catch (RuntimeException e) {
            chat.release(call, origin);
            throw e;
        }
        StreamingOutput relay = out -> {
            try {
                relay(opened, out, request, call, origin);
            } finally {
                opened.cancel();
            }
        };
        // Cache-Control: no-store comes with every API answer (quarkus.http.filter.api).
        return capped(Response.ok(relay, MediaType.SERVER_SENT_EVENTS_TYPE), call)
                .header("X-Accel-Buffering", "no")
                .build();
    }

    /**
     * Relays the upstream chunks as they come. Whatever ends the stream — its end, a provider
     * failure, or the client going away — the call is settled on what was generated: the
     * reported usage if the final chunk carried it, else the text counted with the tokenizer.
     */
    private void relay(ProviderStream opened, OutputStream out, ChatRequest request, ChatService.HeldCall call,
            RequestOrigin origin) throws IOException {
        StreamRelay seen = new StreamRelay();
        boolean clientGone = false;
        boolean providerFailed = false;
        try (Stream<String> events = opened.events().subscribe().asStream()) {
            Iterator<String> chunks = events.iterator();
            while (chunks.hasNext()) {
                String chunk = chunks.next();
                seen.observe(chunk);
                if (!write(out, chunk)) {
                    clientGone = true;
                    break;
                }
            }
        } catch (RuntimeException e) {
            providerFailed = true;
            LOG.infof("stream of reservation %s broke upstream (%s); settling what was generated",
                    call.reservationId(), e.getClass().getSimpleName());
        }
        Optional<Usage> reported = seen.usage().flatMap(usage -> reportedUsage(new JsonObject().put("usage", usage), call));
        Usage usage = reported.orElseGet(() -> counted(call, seen.generatedText()));
        chat.settle(call, usage, reported.isEmpty(), request.characterId(), request.conversationId(), origin);
        if (clientGone) {
            return;
        }
        if (providerFailed) {
            write(out, new JsonObject().put("error", new JsonObject()
                    .put("message", "The provider stopped the stream; what was generated was charged.")
                    .put("type", "provider_error")).encode());
        }
        write(out, "[DONE]");
    }

    /**
     * The usage the provider reported, if it reported a usable one; inconsistent numbers are
     * logged and the call is counted instead (the hold must be settled either way).
     */
    private static Optional<Usage> reportedUsage(JsonObject responseOrChunk, ChatService.HeldCall call) {
        try {
            return UsageNormalizer.fromResponse(responseOrChunk);
        } catch (RuntimeException e) {
            LOG.warnf("reservation %s: the provider's usage is unusable (%s); counting instead", call.reservationId(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** @return false if the client is gone */
    private static boolean write(OutputStream out, String data) {
        try {
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Usage counted by Tollgate: the prompt as estimated, the output as generated. */
    private Usage counted(ChatService.HeldCall call, String generated) {
        return new Usage(call.promptTokens(), 0, 0, tokens.textTokens(call.price().model(), generated), 0);
    }

    private static String answerText(JsonObject answer) {
        StringBuilder text = new StringBuilder();
        JsonArray choices = answer.getJsonArray("choices");
        for (int i = 0; choices != null && i < choices.size(); i++) {
            JsonObject message = choices.getJsonObject(i).getJsonObject("message");
            if (message != null && message.getValue("content") instanceof String content) {
                text.append(content);
            }
        }
        return text.toString();
    }

    private static Response.ResponseBuilder capped(Response.ResponseBuilder response, ChatService.HeldCall call) {
        response.header("X-Tollgate-Max-Tokens", call.maxTokens());
        if (call.requestedMaxTokens() != null) {
            response.header("X-Tollgate-Max-Tokens-Requested", call.requestedMaxTokens());
        }
        return response;
    }
}
