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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
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

    @Operation(summary = "The metered chat call (OpenAI-compatible)",
            description = "Counts the whole prompt (messages, tools, tool calls and results, response schema, images by the model's rule), holds its estimate (max_tokens capped at what the user can afford), calls the model's upstream streaming with usage, and settles on the provider's usage: the answer as JSON (assembled from the stream), or with stream: true as server-sent events ending with the usage. A client that goes away or stops reading is let go; the call is still read to its end and billed. Only an allow-list of fields is sent upstream (others are named in X-Tollgate-Ignored-Fields); store is false and user is a hash of the token's subject. 402 before any provider call if the user cannot afford one output token; 502/503/504 with nothing charged if the provider fails before taking the call or before any output; 504/502 provider-outcome-unknown, with the hold charged, if the call reached the provider and no answer came.")
    @APIResponse(responseCode = "200", description = "The completion (stream false) or its chunks as server-sent events (stream true); headers X-Tollgate-Max-Tokens and X-Tollgate-Max-Tokens-Requested tell whether max_tokens was capped.",
            content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(type = SchemaType.OBJECT, description = "OpenAI's chat.completion object, and a tollgate object: max_tokens_requested, max_tokens, capped, cost_millicredits, usage_estimated"),
                            examples = @ExampleObject(name = "completion", value = "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I help?\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":7,\"total_tokens\":16},\"tollgate\":{\"max_tokens_requested\":200,\"max_tokens\":200,\"capped\":false,\"cost_millicredits\":6,\"usage_estimated\":false}}")),
                    @Content(mediaType = MediaType.SERVER_SENT_EVENTS,
                            schema = @Schema(type = SchemaType.STRING, description = "chat.completion.chunk objects as data: lines, the last with the usage, then data: [DONE]"),
                            examples = @ExampleObject(name = "stream", value = "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\ndata: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":7,\"total_tokens\":16}}\n\ndata: [DONE]\n\n")) })
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "invalid-request provider-rejected-request insufficient-credits member-cap-reached not-a-team-member "
            + "unknown-model model-not-served unsupported-content provider-error provider-busy "
            + "provider-unavailable provider-timeout provider-outcome-unknown")
    @Extension(name = ApiDocs.NOT_REPLAYED, value = "completions are not stored: a key is used once, a repeat is 409")
    @APIResponse(responseCode = "400", description = "Not a chat request (no model or messages), a malformed part (tools, content parts, tool calls), more than 100 images, both max_tokens and max_completion_tokens, a key in Tollgate's own namespace, or the provider refused it.")
    @APIResponse(responseCode = "402", description = "The user cannot afford one output token; no provider call was made.")
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used before (completions are not stored, so a key is used once).")
    @APIResponse(responseCode = "422", description = "The model has no price, or no upstream serves it; or unsupported-content: the request asks for what Tollgate cannot count or price (audio, files, images for a model without an image rule, audio output, predicted outputs, web search, a service tier other than auto/default).")
    @APIResponse(responseCode = "502", description = "The provider failed before taking the call or before any output: nothing charged. If it failed after producing output, what it generated was charged (chargedMillicredits); if the connection was lost after the call was sent, provider-outcome-unknown with the hold charged.")
    @APIResponse(responseCode = "503", description = "The provider's circuit is open or it is busy; nothing charged.")
    @APIResponse(responseCode = "504", description = "The call was sent and the provider did not answer in time (provider-outcome-unknown: it may have run the call, so its hold was charged, chargedMillicredits), or a non-streaming answer went silent or ran past its upstream's maximum call duration after output (what was generated was charged).")
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
                    schema = @Schema(type = SchemaType.OBJECT, description = "OpenAI's chat completion request: model, messages, and the optional fields the operation names"),
                    examples = @ExampleObject(name = "chat", value = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":200,\"stream\":false,\"metadata\":{\"character_id\":\"luna\",\"conversation_id\":\"conv-1\"}}")))
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
