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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;

import dev.tollgate.platform.security.CurrentUser;

/**
 * {@code GET /api/credit/usage?from=YYYY-MM-DD&to=YYYY-MM-DD&groupBy=day,model,character&page=0&size=50}:
 * the caller's usage over an inclusive range of UTC days (default: the last 30 days).
 */
@Tag(name = "credits", description = "The caller's credits: balance, usage, estimates and charges. The user is always the token's subject.")
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

    @APIResponse(responseCode = "200", description = "The usage report.")
    @GET
    public UsageReport usage(
            @Parameter(description = "First UTC day, ISO date (default: 29 days before to)", example = "2026-11-01")
            @QueryParam("from") String from, @Parameter(description = "Last UTC day, ISO date, inclusive (default: today)", example = "2026-11-24") @QueryParam("to") String to,
            @Parameter(description = "Breakdowns to include: day, model, character (comma-separated or repeated)", example = "day,model")
            @QueryParam("groupBy") List<String> groupBy,
            @Parameter(description = "Page of the call list, from 0", example = "0")
            @QueryParam("page") String page, @Parameter(description = "Calls per page, 1 to 200 (default 50)", example = "50") @QueryParam("size") String size) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return usage.report(user.id(), UsageQuery.parse(from, to, groupBy, page, size, today));
    }
}
