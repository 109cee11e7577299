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

/**
 * {@code GET /api/admin/audit?userId=&from=&to=&operation=&actor=&page=&size=}: ledger rows,
 * newest first, over a half-open range of instants (default: the last 30 days, at most 366).
 */
@Path("/api/admin/audit")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    @Inject
    AuditService audit;

    @Inject
    Clock clock;

    @GET
    public AuditPage audit(
            @QueryParam("userId") @Size(max = AdminInput.USER_ID_MAX)
            @Pattern(regexp = AdminInput.USER_ID, message = AdminInput.USER_ID_MESSAGE) String userId,
            @QueryParam("from") @Size(max = 64) String from,
            @QueryParam("to") @Size(max = 64) String to,
            @QueryParam("operation") @Size(max = 16) String operation,
            @QueryParam("actor") @Size(max = 255)
            @Pattern(regexp = AdminInput.USER_ID, message = "is not an actor (printable ASCII)") String actor,
            @QueryParam("page") @Size(max = 10) String page,
            @QueryParam("size") @Size(max = 10) String size) {
        return audit.page(AuditQuery.parse(userId, from, to, operation, actor, page, size, clock.instant()));
    }
}
