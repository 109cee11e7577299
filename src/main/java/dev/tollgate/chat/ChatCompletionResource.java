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

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.security.Authenticated;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import dev.tollgate.platform.idempotency.IdempotencyKey;
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

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS })
    public Response complete(@HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @HeaderParam(CHARACTER_HEADER) String characterId, @HeaderParam(CONVERSATION_HEADER) String conversationId,
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
