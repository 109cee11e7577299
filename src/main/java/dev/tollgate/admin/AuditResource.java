package dev.tollgate.admin;

import java.time.Clock;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /api/admin/audit?userId=&from=&to=&operation=&actor=&page=&size=}: ledger rows,
 * newest first, over a half-open range of instants (default: the last 30 days, at most 366).
 */
@Tag(name = "admin", description = "Operators' calls (role admin): jobs, adjustments with a reason, prices, the audit trail and account views.")
@Path("/api/admin/audit")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    @Inject
    AuditService audit;

    @Inject
    Clock clock;

    @APIResponse(responseCode = "200", description = "A page of audit rows.")
    @GET
    public AuditPage audit(
            @Parameter(description = "Only this user", example = "alice")
            @QueryParam("userId") @Size(max = AdminInput.USER_ID_MAX)
            @Pattern(regexp = AdminInput.USER_ID, message = AdminInput.USER_ID_MESSAGE) String userId,
            @Parameter(description = "From this instant, inclusive (ISO)", example = "2026-11-01T00:00:00Z")
            @QueryParam("from") @Size(max = 64) String from,
            @Parameter(description = "Up to this instant, exclusive (ISO)", example = "2026-11-24T00:00:00Z")
            @QueryParam("to") @Size(max = 64) String to,
            @Parameter(description = "grant, charge, hold, settle, release, expire, refund, adjust or refresh", example = "adjust")
            @QueryParam("operation") @Size(max = 16) String operation,
            @Parameter(description = "Only entries by this actor", example = "admin:root")
            @QueryParam("actor") @Size(max = 255)
            @Pattern(regexp = AdminInput.USER_ID, message = "is not an actor (printable ASCII)") String actor,
            @Parameter(description = "Page, from 0 (at most 10,000)", example = "0")
            @QueryParam("page") @Size(max = 10) String page,
            @Parameter(description = "Rows per page, 1 to 200 (default 50)", example = "50")
            @QueryParam("size") @Size(max = 10) String size) {
        return audit.page(AuditQuery.parse(userId, from, to, operation, actor, page, size, clock.instant()));
    }
}
