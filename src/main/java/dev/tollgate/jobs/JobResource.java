package dev.tollgate.jobs;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.tollgate.ledger.AdminAction;
import dev.tollgate.ledger.AdminActionLog;
import dev.tollgate.platform.audit.Reason;
import dev.tollgate.platform.jobs.JobReport;
import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;

/**
 * Runs a job now, for admins: {@code POST /api/admin/jobs/{name}[?reason=]}, and the seed's
 * compensation endpoint. Each run is audited ({@link AdminAction#JOB_RUN}: the admin, the reason
 * — {@value #NO_REASON} when none is given — and what the run did, or that it failed).
 */
@Tag(name = "admin", description = "Operators' calls (role admin): jobs, adjustments with a reason, prices, the audit trail and account views.")
@Path("/api/admin")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    static final String NO_REASON = "run on demand (no reason given)";
    private static final Logger LOG = Logger.getLogger(JobResource.class);

    @Inject
    JobRunner runner;

    @Inject
    CurrentUser admin;

    @Inject
    ClientContext client;

    @Inject
    AdminActionLog adminActions;

    @Inject
    ObjectMapper json;

    @APIResponse(responseCode = "200", description = "What the run did.")
    @POST
    @Path("jobs/{name}")
    public JobReport run(
            @Parameter(description = "refresh, expire-holds, process-compensations, archive-usage, purge-rate-limits, process-top-ups, expire-grants or predict-depletion", example = "expire-holds")
            @PathParam("name") String name,
            @Parameter(description = "Why the job is run now; kept in the audit trail (JOB_RUN row). Optional.",
                    example = "holds piled up after the incident")
            @QueryParam("reason") @Size(min = 1, max = Reason.MAX_LENGTH)
            @Pattern(regexp = Reason.TEXT, message = Reason.TEXT_MESSAGE) String reason) {
        if (!runner.knows(name)) {
            throw new JobRunner.UnknownJobException(name);
        }
        LOG.infof("admin %s runs job %s", admin.id(), name);
        ObjectNode details = json.createObjectNode().put("admin", admin.id()).put("job", name);
        JobReport report;
        try {
            report = runner.run(name);
        } catch (RuntimeException e) {
            audit(details.put("status", "failed").put("error", e.getClass().getSimpleName()), reason);
            throw e;
        }
        audit(details.put("status", report.status()).put("processed", report.processed())
                .put("failed", report.failed()).put("millis", report.millis()), reason);
        return report;
    }

    @APIResponse(responseCode = "200", description = "What the run did.")
    @POST
    @Path("credit/process-compensations")
    public JobReport processCompensations(
            @Parameter(description = "Why the job is run now; kept in the audit trail (JOB_RUN row). Optional.")
            @QueryParam("reason") @Size(min = 1, max = Reason.MAX_LENGTH)
            @Pattern(regexp = Reason.TEXT, message = Reason.TEXT_MESSAGE) String reason) {
        return run("process-compensations", reason);
    }

    private void audit(ObjectNode details, String reason) {
        adminActions.record(AdminAction.JOB_RUN, AdminActionLog.ADMIN_ACTOR_PREFIX + admin.id(),
                reason == null ? NO_REASON : reason, details, client.origin());
    }
}
