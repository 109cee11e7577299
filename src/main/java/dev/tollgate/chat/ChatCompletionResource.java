package dev.tollgate.chat;

import java.time.Duration;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.security.Authenticated;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import dev.tollgate.membership.TeamPayers;
import dev.tollgate.metering.MeteredCalls;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.platform.security.ClientContext;

/**
 * {@code POST /v1/chat/completions}: the metered chat call, OpenAI-compatible (request, response,
 * and {@code stream: true} as server-sent events), for the token's user. The resource parses the
 * request ({@link ChatRequest}), opens the call ({@link ChatService}: hold, upstream stream) and
 * answers: the chunks as they come to a streaming client, or the whole completion assembled from
 * them. Reading the call to its end and settling it is {@link ChatCall}'s.
 *
 * <p>The response says how the budget was capped: headers {@code X-Tollgate-Max-Tokens} (sent
 * upstream) and {@code X-Tollgate-Max-Tokens-Requested}, and for non-streaming answers a
 * {@code tollgate} object in the body; {@code X-Tollgate-Ignored-Fields} names the request's
 * fields that were not sent upstream.
 */
@Tag(name = "chat", description = "The metered chat call, compatible with OpenAI's Chat Completions API: any OpenAI client library works with base URL \u2026/v1 and the user's token as API key.")
@Path("/v1/chat/completions")
@Authenticated
public class ChatCompletionResource {

    static final String CHARACTER_HEADER = "X-Tollgate-Character-Id";
    static final String CONVERSATION_HEADER = "X-Tollgate-Conversation-Id";

    /** How long after the answer began its relay must have started; past it the call is read without a client. */
    static final Duration UNRELAYED_CALL_GRACE = Duration.ofSeconds(10);

    @Inject
    ChatService chat;

    @Inject
    ChatConfig config;

    @Inject
    Vertx vertx;

    @Inject
    TeamPayers payers;

    @Inject
    ClientContext client;

    @APIResponse(responseCode = "200", description = "The completion (stream false) or its chunks as server-sent events (stream true); headers X-Tollgate-Max-Tokens and X-Tollgate-Max-Tokens-Requested tell whether max_tokens was capped.")
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
            @Parameter(description = "The account to charge: " + ApiDocs.MEMBER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE)
            @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.OBJECT, description = "OpenAI's chat completion request: model, messages, and the optional fields the operation names")))
            ObjectNode body,
            @Context HttpServerRequest http) {
        ChatRequest request = ChatRequest.parse(body, characterId, conversationId, config.allowStore());
        ChatCall call = chat.open(payers.payer(account), idempotencyKey, request, client.origin());
        return request.stream() ? stream(request, call, http) : once(request, call);
    }

    private Response once(ChatRequest request, ChatCall call) {
        CompletionAssembler answer = new CompletionAssembler();
        ChatCall.Ended ended = call.run(chunk -> {
            answer.add(chunk);
            return true;
        }).orElseThrow();
        if (ended.failure() != null) {
            if (ended.charged() == null) {
                throw ended.failure();
            }
            throw new AnswerCutException(ended.failure(), ended.charged().cost().value());
        }
        JsonObject completion = answer.completion();
        MeteredCalls.Held held = call.held();
        completion.put("tollgate", new JsonObject()
                .put("max_tokens_requested", request.requestedMaxTokens())
                .put("max_tokens", held.maxOutputTokens())
                .put("capped", capped(request, held))
                .put("cost_millicredits", ended.charged().cost().value())
                .put("usage_estimated", ended.charged().estimated()));
        return headers(Response.ok(completion.encode(), MediaType.APPLICATION_JSON_TYPE), request, held).build();
    }

    private Response stream(ChatRequest request, ChatCall call, HttpServerRequest http) {
        StreamingOutput relay = out -> {
            try (ClientEventStream client = new ClientEventStream(out, http.response(), vertx, config.clientWriteTimeout())) {
                Optional<ChatCall.Ended> run = call.run(client::send);
                if (run.isEmpty()) {
                    return; // it began too late: the call was read without a client
                }
                ChatCall.Ended ended = run.get();
                if (client.attached()) {
                    if (ended.failure() != null) {
                        client.send(new JsonObject().put("error", new JsonObject()
                                .put("message", ended.charged() == null
                                        ? "The provider stopped the stream before any output; nothing was charged."
                                        : "The provider stopped the stream; what was generated was charged.")
                                .put("type", "provider_error")).encode());
                    }
                    client.send("[DONE]");
                }
            }
        };
        // Should the relay never run (the client gone before the answer began), the call is still
        // read to its end and settled, without a client.
        vertx.setTimer(UNRELAYED_CALL_GRACE.toMillis(), id -> {
            if (!call.started()) {
                vertx.executeBlocking(() -> call.run(null), false);
            }
        });
        // Cache-Control: no-store comes with every API answer (quarkus.http.filter.api).
        return headers(Response.ok(relay, MediaType.SERVER_SENT_EVENTS_TYPE), request, call.held())
                .header("X-Accel-Buffering", "no")
                .build();
    }

    private static boolean capped(ChatRequest request, MeteredCalls.Held held) {
        return request.requestedMaxTokens() != null && held.maxOutputTokens() < request.requestedMaxTokens();
    }

    private static Response.ResponseBuilder headers(Response.ResponseBuilder response, ChatRequest request,
            MeteredCalls.Held held) {
        response.header("X-Tollgate-Max-Tokens", held.maxOutputTokens());
        if (request.requestedMaxTokens() != null) {
            response.header("X-Tollgate-Max-Tokens-Requested", request.requestedMaxTokens());
        }
        if (!request.ignoredFields().isEmpty()) {
            response.header("X-Tollgate-Ignored-Fields", String.join(",", request.ignoredFields()));
        }
        return response;
    }
}
