package dev.tollgate.jobs;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.logging.Logger;

import dev.tollgate.platform.jobs.JobReport;
import dev.tollgate.platform.security.CurrentUser;

/** Runs a job now, for admins: {@code POST /api/admin/jobs/{name}}, and the seed's compensation endpoint. */
@Path("/api/admin")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private static final Logger LOG = Logger.getLogger(JobResource.class);

    @Inject
    JobRunner runner;

    @Inject
    CurrentUser admin;

    @POST
    @Path("jobs/{name}")
    public JobReport run(@PathParam("name") String name) {
        LOG.infof("admin %s runs job %s", admin.id(), name);
        return runner.run(name);
    }

    @POST
    @Path("credit/process-compensations")
    public JobReport processCompensations() {
        return run("process-compensations");
    }
}
