package dev.tollgate.team;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;

import dev.tollgate.admin.AdminInput;
import dev.tollgate.membership.TeamAccess;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.platform.security.ClientContext;

/**
 * {@code /api/teams}: teams whose members spend from a shared pool ({@code X-Tollgate-Account:
 * team:<id>} on a charge, hold or chat call), each within an optional monthly cap.
 */
@Tag(name = "teams", description = "Teams and their shared credit pools: members, roles, caps, the pool's balance and usage by member.")
@Path("/api/teams")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class TeamResource {

    /** The header in which an admin gives the reason for changing a team they do not own. */
    public static final String REASON_HEADER = "X-Tollgate-Reason";
    /** How the operations document the reason header and the team id in the path. */
    static final String REASON = "An admin's reason for changing a team they do not own";
    static final String TEAM_ID = "The team's id";
    static final String TEAM_ID_EXAMPLE = "5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10";

    @Inject
    TeamService teams;

    @Inject
    TeamReading reading;

    @Inject
    TeamAccess access;

    @Inject
    ClientContext client;

    @Inject
    Clock clock;

    @APIResponseSchema(value = TeamViews.Team.class, responseCode = "201", responseDescription = "The team (or the replay of its creation under this key).")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(
            @Parameter(description = "Idempotency key of the creation", required = true, example = "team-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @NotNull(message = "a body is required") @Valid TeamRequests.Create request) {
        return teams.create(IdempotencyKey.resolve(idempotencyKey, null), request).created();
    }

    @APIResponse(responseCode = "200", description = "The teams.")
    @GET
    public List<TeamViews.Team> mine() {
        return teams.mine();
    }

    @APIResponse(responseCode = "200", description = "The team.")
    @GET
    @Path("{teamId}")
    public TeamViews.Team get(@Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId) {
        return teams.get(access.parse(teamId));
    }

    @APIResponse(responseCode = "200", description = "The member as set.")
    @PUT
    @Path("{teamId}/members/{userId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public TeamViews.Member putMember(
            @Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId,
            @Parameter(description = "The member's user id (token subject)", example = "user-2") @PathParam("userId") String userId,
            @Parameter(description = REASON) @HeaderParam(REASON_HEADER) String reason,
            @NotNull(message = "a body is required") @Valid TeamRequests.MemberSettings settings) {
        return teams.putMember(access.parse(teamId), userId(userId), settings, reason, client.origin());
    }

    @APIResponse(responseCode = "200", description = "The member is not (or no longer) an active member.")
    @DELETE
    @Path("{teamId}/members/{userId}")
    public Removed removeMember(
            @Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId,
            @Parameter(description = "The member's user id", example = "user-2") @PathParam("userId") String userId,
            @Parameter(description = REASON) @HeaderParam(REASON_HEADER) String reason) {
        UUID team = access.parse(teamId);
        teams.removeMember(team, userId(userId), reason, client.origin());
        return new Removed(team, userId, true);
    }

    /** A member removed from a team. */
    @Schema(name = "TeamMemberRemoved")
    public record Removed(UUID teamId, String userId, boolean removed) {
    }

    @APIResponse(responseCode = "200", description = "Deleted.")
    @DELETE
    @Path("{teamId}")
    public TeamViews.Deleted delete(
            @Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId,
            @Parameter(description = "An admin's reason for deleting a team they do not own") @HeaderParam(REASON_HEADER) String reason) {
        return teams.delete(access.parse(teamId), reason, client.origin());
    }

    @APIResponse(responseCode = "200", description = "The pool.")
    @GET
    @Path("{teamId}/balance")
    public TeamViews.Balance balance(@Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId) {
        return reading.balance(access.parse(teamId));
    }

    @APIResponse(responseCode = "200", description = "The caller as a member.")
    @GET
    @Path("{teamId}/members/me")
    public TeamViews.Member me(@Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId) {
        return reading.me(access.parse(teamId));
    }

    @APIResponse(responseCode = "200", description = "The usage by member.")
    @GET
    @Path("{teamId}/usage")
    public TeamViews.Usage usage(
            @Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId,
            @Parameter(description = "First UTC day, ISO date (default: 29 days before to)", example = "2026-11-06") @QueryParam("from") String from,
            @Parameter(description = "Last UTC day, ISO date, inclusive (default: today)", example = "2026-12-05") @QueryParam("to") String to) {
        LocalDate last = to == null ? LocalDate.now(clock.withZone(ZoneOffset.UTC)) : day("to", to);
        LocalDate first = from == null ? last.minusDays(DEFAULT_DAYS - 1) : day("from", from);
        if (first.isAfter(last) || first.plusDays(MAX_DAYS).isBefore(last.plusDays(1))) {
            throw new InvalidRequestException("from, to: from is at most to, and the range at most " + MAX_DAYS + " days");
        }
        return reading.usage(access.parse(teamId), first.atStartOfDay(ZoneOffset.UTC).toInstant(),
                last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 366;

    private static LocalDate day(String name, String value) {
        try {
            return LocalDate.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidRequestException(name + ": an ISO date, e.g. 2026-12-01");
        }
    }

    private static String userId(String userId) {
        if (userId == null || userId.length() > AdminInput.USER_ID_MAX || !userId.matches(AdminInput.USER_ID)
                || userId.startsWith(dev.tollgate.ledger.Payer.TEAM_ACCOUNT_PREFIX)) {
            throw new InvalidRequestException("userId: " + AdminInput.USER_ID_MESSAGE);
        }
        return userId;
    }
}
