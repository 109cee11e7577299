package dev.tollgate.platform.problem;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem details body. Every error of the API is one of these, with a stable
 * {@code type} URI per kind of error and extra members where they help the caller.
 */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://tollgate.dev/problems/";

    private final Map<String, Object> members = new LinkedHashMap<>();
    private final String typeSlug;
    private final int status;

    private Problem(String typeSlug, String title, int status, String detail) {
        this.typeSlug = typeSlug;
        this.status = status;
        members.put("type", URI.create(TYPE_BASE + typeSlug).toString());
        members.put("title", title);
        members.put("status", status);
        if (detail != null) {
            members.put("detail", detail);
        }
    }

    public static Problem of(String typeSlug, String title, int status, String detail) {
        return new Problem(typeSlug, title, status, detail);
    }

    public Problem with(String name, Object value) {
        members.put(name, value);
        return this;
    }

    /** The last segment of the type URI, e.g. {@code insufficient-credits}. */
    public String typeSlug() {
        return typeSlug;
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
