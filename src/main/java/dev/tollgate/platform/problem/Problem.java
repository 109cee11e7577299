package dev.tollgate.platform.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem details body. Every error of the API is one of these, of a {@link ProblemType}
 * of the catalogue, with extra members where they help the caller.
 */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";

    private final Map<String, Object> members = new LinkedHashMap<>();
    private final ProblemType type;
    private final int status;

    private Problem(ProblemType type, int status, String detail) {
        this.type = type;
        this.status = status;
        members.put("type", type.uri());
        members.put("title", type.title());
        members.put("status", status);
        if (detail != null) {
            members.put("detail", detail);
        }
    }

    /** A problem of the type, with its status; {@code detail} may be null. */
    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, type.status(), detail);
    }

    /** A problem of the type answered with another status than its own (a 502 provider-outcome-unknown). */
    public static Problem of(ProblemType type, int status, String detail) {
        return new Problem(type, status, detail);
    }

    public Problem with(String name, Object value) {
        members.put(name, value);
        return this;
    }

    /** The last segment of the type URI, e.g. {@code insufficient-credits}. */
    public String typeSlug() {
        return type.slug();
    }

    /** The {@code detail} member, or null when it has none. */
    public String detail() {
        return (String) members.get("detail");
    }

    public ProblemType type() {
        return type;
    }

    public int status() {
        return status;
    }

    public Map<String, Object> members() {
        return members;
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(members).build();
    }
}
