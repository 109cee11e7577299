package dev.tollgate.jobs;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import dev.tollgate.platform.jobs.JobReport;
import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.platform.security.CurrentUser;

/** Runs a job now, for admins: {@code POST /api/admin/jobs/{name}}, and the seed's compensation endpoint. */
@Tag(name = "admin", description = "Operators' calls (role admin): jobs, adjustments with a reason, prices, the audit trail and account views.")
@Path("/api/admin")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private static final Logger LOG = Logger.getLogger(JobResource.class);

    @Inject
    JobRunner runner;

    @Inject
    CurrentUser admin;

    @Operation(summary = "Run a job now",
            description = "Runs one of the scheduled jobs once (refresh, expire-holds, process-compensations, archive-usage) and answers what it did, or status skipped if a run of it holds its lock elsewhere.")
    @APIResponse(responseCode = "200", description = "What the run did.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobReport.class),
                    examples = @ExampleObject(name = "example", value = "{\"job\":\"expire-holds\",\"status\":\"done\",\"processed\":3,\"failed\":0,\"detail\":null,\"millis\":12}")))
    @APIResponse(responseCode = "404", description = "No job has this name.",
            content = @Content(mediaType = ApiDocs.PROBLEM_JSON, schema = @Schema(ref = ApiDocs.PROBLEM_SCHEMA),
                    examples = @ExampleObject(name = "unknown-job", value = "{\"type\":\"https://tollgate.dev/problems/unknown-job\",\"title\":\"Unknown job\",\"status\":404,\"detail\":\"There is no job with this name.\",\"job\":\"refresh-all\"}")))
    @POST
    @Path("jobs/{name}")
    public JobReport run(
            @Parameter(description = "refresh, expire-holds, process-compensations or archive-usage", example = "expire-holds")
            @PathParam("name") String name) {
        LOG.infof("admin %s runs job %s", admin.id(), name);
        return runner.run(name);
    }

    @Operation(summary = "Apply pending compensations now",
            description = "The same as POST /api/admin/jobs/process-compensations: applies the deferred charges and refunds of credit_compensation through the ledger.")
    @APIResponse(responseCode = "200", description = "What the run did.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobReport.class),
                    examples = @ExampleObject(name = "example", value = "{\"job\":\"process-compensations\",\"status\":\"done\",\"processed\":1,\"failed\":0,\"detail\":\"retried=0\",\"millis\":20}")))
    @POST
    @Path("credit/process-compensations")
    public JobReport processCompensations() {
        return run("process-compensations");
    }
}
