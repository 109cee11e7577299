package dev.tollgate.balance.events;

import java.time.Instant;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;
import io.vertx.core.http.HttpServerResponse;
import io.smallrye.common.annotation.Blocking;

import dev.tollgate.membership.TeamPayers;
import dev.tollgate.platform.openapi.ApiDocs;

/**
 * {@code GET /api/credit/events}: server-sent events with the caller's balance. The stream starts
 * with the current balance (event {@code balance}, the body of {@code GET /api/credit/balance}),
 * then sends it again after every change to the account, whichever instance made it; the event
 * id is the id of the ledger entry. A reconnecting client (with or without {@code Last-Event-ID})
 * starts again from a fresh balance, so it has missed nothing. Comment lines every 15 s keep the
 * stream open; it ends when the token expires.
 */
@Tag(name = "credits")
@Path("/api/credit/events")
@Authenticated
public class BalanceEventsResource {

    @Inject
    BalanceStreams streams;

    @Inject
    TeamPayers payers;

    @Inject
    JsonWebToken token;

    @APIResponse(responseCode = "200", description = "The event stream.")
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public void events(@Context SseEventSink sink, @Context Sse sse, @Context HttpServerResponse response,
            @Parameter(description = ApiDocs.MEMBER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account) {
        // Never cached; proxies that buffer (nginx) pass each event on at once.
        response.putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
        streams.open(payers.payer(account).accountId(), sink, sse, Instant.ofEpochSecond(token.getExpirationTime()));
    }
}
