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

import io.quarkus.security.Authenticated;

import dev.tollgate.admin.AdminInput;
import dev.tollgate.membership.TeamAccess;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.openapi.ApiDocs;
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

    static final String TEAM_EXAMPLE = "{\"teamId\":\"5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10\",\"account\":\"team:5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10\",\"name\":\"Story studio\",\"claimValue\":null,\"role\":\"owner\",\"createdAt\":\"2026-12-01T09:00:00Z\",\"members\":[" + TeamResource.MEMBER_EXAMPLE + "]}";
    static final String MEMBER_EXAMPLE = "{\"userId\":\"user-1\",\"role\":\"owner\",\"capMillicredits\":null,\"spentMillicredits\":1250,\"heldMillicredits\":0,\"remainingMillicredits\":null,\"fromClaim\":false,\"joinedAt\":\"2026-12-01T09:00:00Z\"}";
    static final String CAPPED_MEMBER_EXAMPLE = "{\"userId\":\"user-2\",\"role\":\"member\",\"capMillicredits\":10000,\"spentMillicredits\":9200,\"heldMillicredits\":400,\"remainingMillicredits\":400,\"fromClaim\":false,\"joinedAt\":\"2026-12-02T09:00:00Z\"}";

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

    @Operation(summary = "Create a team",
            description = "Creates a team with a pool of its own (on the team plan, with its monthly allowance); the caller is its owner. Optionally a claimValue (the caller's token must carry it in the configured membership claim: holders of a token with it are members) and members to add. Idempotent on the Idempotency-Key header.")
    @APIResponse(responseCode = "201", description = "The team (or the replay of its creation under this key).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TeamViews.Team.class),
                    examples = @ExampleObject(name = "example", value = TEAM_EXAMPLE)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "team-change-refused")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(
            @Parameter(description = "Idempotency key of the creation", required = true, example = "team-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "team", value = "{\"name\":\"Story studio\",\"members\":[{\"userId\":\"user-2\",\"capMillicredits\":10000}]}")))
            @NotNull(message = "a body is required") @Valid TeamRequests.Create request) {
        return teams.create(IdempotencyKey.resolve(idempotencyKey, null), request).created();
    }

    @Operation(summary = "The caller's teams", description = "The teams the caller is an active member of, with their role.")
    @APIResponse(responseCode = "200", description = "The teams.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = TeamViews.Team.class),
                    examples = @ExampleObject(name = "example", value = "[" + TEAM_EXAMPLE + "]")))
    @GET
    public List<TeamViews.Team> mine() {
        return teams.mine();
    }

    @Operation(summary = "A team", description = "The team with the caller's role; owners and managers see every member, a member only themselves.")
    @APIResponse(responseCode = "200", description = "The team.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TeamViews.Team.class),
                    examples = @ExampleObject(name = "example", value = TEAM_EXAMPLE)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "not-a-team-member team-not-found")
    @GET
    @Path("{teamId}")
    public TeamViews.Team get(@Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId) {
        return teams.get(access.parse(teamId));
    }

    @Operation(summary = "Set a member's role and cap",
            description = "Adds the user as a member, or changes their role and monthly cap (no role keeps theirs; no cap, none). Owners and managers set members and caps; only owners set roles or change an owner. The team keeps at least one owner. Setting a state: a retry changes nothing more.")
    @APIResponse(responseCode = "200", description = "The member as set.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TeamViews.Member.class),
                    examples = @ExampleObject(name = "example", value = CAPPED_MEMBER_EXAMPLE)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "not-a-team-member team-role-required team-not-found team-change-refused")
    @PUT
    @Path("{teamId}/members/{userId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public TeamViews.Member putMember(
            @Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId,
            @Parameter(description = "The member's user id (token subject)", example = "user-2") @PathParam("userId") String userId,
            @Parameter(description = REASON) @HeaderParam(REASON_HEADER) String reason,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "member", value = "{\"role\":\"member\",\"capMillicredits\":10000}")))
            @NotNull(message = "a body is required") @Valid TeamRequests.MemberSettings settings) {
        return teams.putMember(access.parse(teamId), userId(userId), settings, reason, client.origin());
    }

    @Operation(summary = "Remove a member",
            description = "The member can start no new call on the pool; a call they started may still settle. Owners and managers remove members, only owners remove an owner, and anyone may leave; the last owner stays. Removing a member who is not there changes nothing.")
    @APIResponse(responseCode = "200", description = "The member is not (or no longer) an active member.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Removed.class),
                    examples = @ExampleObject(name = "example", value = "{\"teamId\":\"5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10\",\"userId\":\"user-2\",\"removed\":true}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "not-a-team-member team-role-required team-not-found team-change-refused")
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

    @Operation(summary = "Delete a team",
            description = "Owners only (or an admin with a reason). The pool's purchased credits that no hold needs move to the owner's own account (a TRANSFER entry on each side); no call can charge the pool any more. Refused while calls on the pool are on hold.")
    @APIResponse(responseCode = "200", description = "Deleted.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TeamViews.Deleted.class),
                    examples = @ExampleObject(name = "example", value = "{\"teamId\":\"5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10\",\"movedTo\":\"user-1\",\"movedMillicredits\":500000}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "not-a-team-member team-role-required team-not-found team-change-refused")
    @DELETE
    @Path("{teamId}")
    public TeamViews.Deleted delete(
            @Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId,
            @Parameter(description = "An admin's reason for deleting a team they do not own") @HeaderParam(REASON_HEADER) String reason) {
        return teams.delete(access.parse(teamId), reason, client.origin());
    }

    @Operation(summary = "The pool's balance by member",
            description = "The pool's buckets and period, with every member's spending in it (spent, held, cap, what the cap leaves). Owners and managers.")
    @APIResponse(responseCode = "200", description = "The pool.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TeamViews.Balance.class),
                    examples = @ExampleObject(name = "example", value = "{\"teamId\":\"5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10\",\"account\":\"team:5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10\",\"plan\":\"team\",\"periodStart\":\"2026-12-01T00:00:00Z\",\"balance\":{\"monthlyMillicredits\":989550,\"grantedMillicredits\":0,\"purchasedMillicredits\":0,\"reservedMillicredits\":400,\"availableMillicredits\":989150,\"availableCredits\":989.15},\"members\":[" + MEMBER_EXAMPLE + "," + CAPPED_MEMBER_EXAMPLE + "]}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "not-a-team-member team-role-required team-not-found")
    @GET
    @Path("{teamId}/balance")
    public TeamViews.Balance balance(@Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId) {
        return reading.balance(access.parse(teamId));
    }

    @Operation(summary = "The caller's spending from the pool",
            description = "What the caller's calls on the pool cost this period, what their live holds set aside, their cap and what it leaves.")
    @APIResponse(responseCode = "200", description = "The caller as a member.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TeamViews.Member.class),
                    examples = @ExampleObject(name = "example", value = CAPPED_MEMBER_EXAMPLE)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "not-a-team-member")
    @GET
    @Path("{teamId}/members/me")
    public TeamViews.Member me(@Parameter(description = TEAM_ID, example = TEAM_ID_EXAMPLE) @PathParam("teamId") String teamId) {
        return reading.me(access.parse(teamId));
    }

    @Operation(summary = "The pool's usage by member",
            description = "What each member's calls on the pool cost over an inclusive range of UTC days (default the last 30, at most 366), archived calls included. Owners and managers.")
    @APIResponse(responseCode = "200", description = "The usage by member.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TeamViews.Usage.class),
                    examples = @ExampleObject(name = "example", value = "{\"teamId\":\"5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10\",\"from\":\"2026-11-06T00:00:00Z\",\"to\":\"2026-12-06T00:00:00Z\",\"totalCostMillicredits\":10450,\"calls\":9,\"members\":[{\"userId\":\"user-2\",\"calls\":8,\"costMillicredits\":9200,\"totalTokens\":42000},{\"userId\":\"user-1\",\"calls\":1,\"costMillicredits\":1250,\"totalTokens\":5000}]}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "invalid-request not-a-team-member team-role-required team-not-found")
    @APIResponse(responseCode = "400", description = "A date out of range.")
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
