package dev.tollgate.provider;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Adds {@code Retry-After} to the 503 problems of the provider. Everything else about the body is
 * {@code platform.problem.ProblemMappers}' (this mapper is chosen over its one for every
 * {@code ProblemException} because it names a more specific type).
 */
public class ProviderProblemMappers {

    @ServerExceptionMapper
    public Response unavailable(ProviderUnavailableException e) {
        return Response.fromResponse(e.problem().toResponse())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
                .build();
    }
}
