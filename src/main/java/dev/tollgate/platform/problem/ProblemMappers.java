package dev.tollgate.platform.problem;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.AuthenticationRedirectException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

import dev.tollgate.platform.jdbc.Jdbc;

/**
 * The one place where exceptions become HTTP answers. Every answer is problem details of a type
 * of the {@link ProblemType} catalogue; no class name, SQL or stack trace ever reaches a caller.
 * 4xx are logged at DEBUG, 5xx at ERROR.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    static final int DATABASE_RETRY_AFTER_SECONDS = 2;

    @Inject
    MeterRegistry meters;

    @ServerExceptionMapper
    public Response domain(ProblemException e) {
        Problem problem = e.problem();
        LOG.debugf("answered %d: %s", problem.status(), e.getMessage());
        // Business answers by kind: tollgate_problems_total{type="insufficient-credits",status="402"} counts the 402s.
        meters.counter("tollgate.problems", "type", problem.typeSlug(), "status", String.valueOf(problem.status()))
                .increment();
        return problem.toResponse();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<Map<String, String>> violations = e.getConstraintViolations().stream()
                .sorted(Comparator.comparing((ConstraintViolation<?> v) -> field(v.getPropertyPath())))
                .map(v -> Map.of("field", field(v.getPropertyPath()), "message", v.getMessage()))
                .collect(Collectors.toList());
        return Problem.of(ProblemType.INVALID_REQUEST, "One or more fields are missing or out of range.")
                .with("violations", violations)
                .toResponse();
    }

    /** Validation that could not run (a constraint threw): our bug, answered like any other 500. */
    @ServerExceptionMapper
    public Response validationFailed(jakarta.validation.ValidationException e) {
        if (e instanceof ConstraintViolationException violations) {
            return invalid(violations);
        }
        return unexpected(e);
    }

    @ServerExceptionMapper
    public Response wrongShape(MismatchedInputException e) {
        return Problem.of(ProblemType.INVALID_REQUEST,
                "Field '" + jsonPath(e) + "' has the wrong type or is not allowed here.")
                .toResponse();
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        String detail = e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                ? "Field '" + jsonPath(mapping) + "' could not be read."
                : "The body is not well-formed JSON (or repeats a key).";
        return Problem.of(ProblemType.MALFORMED_JSON, detail).toResponse();
    }

    @ServerExceptionMapper({ AuthenticationFailedException.class, UnauthorizedException.class,
            AuthenticationCompletionException.class, AuthenticationRedirectException.class })
    public Response unauthenticated(RuntimeException e) {
        return Response.fromResponse(Problem.of(ProblemType.UNAUTHENTICATED,
                "A valid bearer token is required.").toResponse())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.of(ProblemType.FORBIDDEN, "The token does not grant this operation.")
                .toResponse();
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            // Quarkus REST hands a body Jackson could not read over as a 400 with the parser's error as cause.
            return json instanceof MismatchedInputException shape ? wrongShape(shape) : malformed(json);
        }
        return Problem.of(ofHttpStatus(status), status, null).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (Jdbc.isConnectionLoss(e)) {
            return databaseUnavailable(e);
        }
        LOG.error("unexpected error answered with 500", e);
        return Problem.of(ProblemType.INTERNAL_ERROR,
                "The request could not be completed; nothing was charged twice. Retry with the same idempotency key.")
                .toResponse();
    }

    /**
     * The database could not be reached even after the transaction's retries (it is restarting,
     * or down): 503 with {@code Retry-After}, nothing was changed by this request. Logged at
     * ERROR, without the stack trace, which says nothing more than the cause.
     */
    static Response databaseUnavailable(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        LOG.errorf("database unavailable, answered with 503: %s (%s)", e.getClass().getSimpleName(), cause.getMessage());
        return Response.fromResponse(Problem.of(ProblemType.DATABASE_UNAVAILABLE,
                "The database cannot be reached right now; nothing was changed. Retry in a few seconds with the same idempotency key.")
                .with("retryAfterSeconds", DATABASE_RETRY_AFTER_SECONDS)
                .toResponse())
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(DATABASE_RETRY_AFTER_SECONDS))
                .build();
    }

    private static String field(Path path) {
        // Drop the method and parameter segments ("charge.request.usage.outputTokens" -> "usage.outputTokens").
        String full = path.toString();
        String[] parts = full.split("\\.", 3);
        return parts.length == 3 ? parts[2] : parts[parts.length - 1];
    }

    private static String jsonPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    /**
     * The type of an HTTP-level refusal by Quarkus REST itself (no such path, method or media type);
     * any other client error it raises is an invalid request, with its status.
     */
    static ProblemType ofHttpStatus(int status) {
        return switch (status) {
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> ProblemType.INVALID_REQUEST;
        };
    }
}
