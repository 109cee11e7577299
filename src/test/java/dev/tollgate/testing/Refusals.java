package dev.tollgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Supplier;

import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

/** The check of a request that must be refused: a problem (RFC 9457) of a status, and nothing of the user's changed. */
public final class Refusals {

    private Refusals() {
    }

    /**
     * Sends the request, checks that it is answered with a problem of {@code status} and that nothing of
     * {@code user}'s changed ({@link LedgerProbe#snapshot}); returns the answer for further checks.
     */
    public static ValidatableResponse assertRefused(String user, int status, Supplier<Response> request) {
        String before = LedgerProbe.snapshot(user);
        ValidatableResponse answer = request.get().then().statusCode(status).contentType("application/problem+json");
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        return answer;
    }
}
