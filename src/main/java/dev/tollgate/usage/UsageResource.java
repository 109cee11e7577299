package dev.tollgate.usage;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.Authenticated;

import dev.tollgate.platform.security.CurrentUser;

/**
 * {@code GET /api/credit/usage?from=YYYY-MM-DD&to=YYYY-MM-DD&groupBy=day,model,character&page=0&size=50}:
 * the caller's usage over an inclusive range of UTC days (default: the last 30 days).
 */
@Path("/api/credit/usage")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {

    @Inject
    UsageService usage;

    @Inject
    CurrentUser user;

    @Inject
    Clock clock;

    @GET
    public UsageReport usage(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("groupBy") List<String> groupBy,
            @QueryParam("page") String page, @QueryParam("size") String size) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return usage.report(user.id(), UsageQuery.parse(from, to, groupBy, page, size, today));
    }
}
