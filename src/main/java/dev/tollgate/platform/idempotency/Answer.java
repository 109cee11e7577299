package dev.tollgate.platform.idempotency;

import jakarta.ws.rs.core.Response;

/**
 * The answer to an idempotent mutation, and whether it was answered from what an earlier request
 * under the key stored ({@code replayed}) rather than by applying this one.
 */
public record Answer<A>(A value, boolean replayed) {

    /** The response header that tells a client its call was a replay. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    static <A> Answer<A> applied(A value) {
        return new Answer<>(value, false);
    }

    static <A> Answer<A> replayed(A value) {
        return new Answer<>(value, true);
    }

    /** 201 Created with the value and {@value #REPLAYED_HEADER}: true or false. */
    public Response created() {
        return Response.status(Response.Status.CREATED)
                .header(REPLAYED_HEADER, String.valueOf(replayed))
                .entity(value)
                .build();
    }
}
