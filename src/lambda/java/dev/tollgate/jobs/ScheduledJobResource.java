package dev.tollgate.jobs;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import dev.tollgate.platform.jobs.JobReport;
import io.quarkus.vertx.http.runtime.QuarkusHttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The jobs on AWS Lambda (Maven profile {@code lambda}): an EventBridge schedule invokes the job
 * function with a constant input, an HTTP API event for {@code POST /lambda/jobs/<name>}, which the
 * function's one handler (Quarkus' Lambda HTTP handler) routes here. The run goes through
 * {@link JobRunner} like every other (its advisory lock, its meters, its log line).
 * <p>
 * Nobody else may start a run this way: it is answered 404, as an unknown path is, unless
 * {@link LambdaJobsConfig#scheduledJobsEnabled() tollgate.lambda.scheduled-jobs-enabled} is set (the
 * job function sets it, the HTTP API function does not), the request is a Lambda invocation, and its
 * event did not come through an API Gateway or a function URL (both set {@code requestContext.apiId};
 * a scheduled input has none). Admins run jobs on demand through {@code POST /api/admin/jobs/{name}}.
 */
@Path("/lambda/jobs")
@PermitAll
@Produces(MediaType.APPLICATION_JSON)
public class ScheduledJobResource {

    private static final Logger LOG = Logger.getLogger(ScheduledJobResource.class);

    @Inject
    JobRunner runner;

    @Inject
    LambdaJobsConfig config;

    @Inject
    RoutingContext request;

    @Operation(hidden = true)
    @POST
    @Path("{name}")
    public JobReport run(@PathParam("name") String name) {
        APIGatewayV2HTTPEvent event = lambdaEvent();
        if (!config.scheduledJobsEnabled() || event == null || cameThroughAGateway(event)) {
            LOG.debugf("scheduled job call refused (enabled=%s, lambda event=%s)", config.scheduledJobsEnabled(),
                    event != null);
            throw new NotFoundException();
        }
        LOG.infof("scheduled run of job %s", name);
        return runner.run(name);
    }

    /** The Lambda event this request was made from; null for a request that reached a socket. */
    private APIGatewayV2HTTPEvent lambdaEvent() {
        return request.request().headers() instanceof QuarkusHttpHeaders headers
                ? headers.getContextObject(APIGatewayV2HTTPEvent.class)
                : null;
    }

    private static boolean cameThroughAGateway(APIGatewayV2HTTPEvent event) {
        return event.getRequestContext() == null || event.getRequestContext().getApiId() != null;
    }
}
