package dev.tollgate.platform.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Metrics;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Through HTTP with real signed tokens: a token seen again is answered from the cache of verified
 * tokens, for its own user and roles only, and never once it has expired, if one character differs or
 * if it is not an access token.
 */
@QuarkusTest
class VerifiedTokenCacheTest {

    static double counted(String result) {
        return Metrics.value("tollgate_auth_token_cache_total", Map.of("result", result));
    }

    /** The balance read with this token, answered with this status. */
    static ValidatableResponse balance(String token, int status) {
        return given().auth().oauth2(token).get("/api/credit/balance").then().statusCode(status);
    }

    @Test
    void aTokenSentAgainIsAnsweredFromTheCacheForItsOwnUser() {
        String alice = "cache-alice-" + UUID.randomUUID();
        String bob = "cache-bob-" + UUID.randomUUID();
        String aliceToken = Tokens.user(alice);
        String bobToken = Tokens.user(bob);
        balance(aliceToken, 200);
        balance(bobToken, 200);
        double hitsBefore = counted("hit");

        given().auth().oauth2(aliceToken).contentType("application/json").header("Idempotency-Key", "cache-1")
                .body(Api.chargeBody("gpt-4o-mini", 1000, 1000))
                .post("/api/credit/charges").then().statusCode(201);
        balance(bobToken, 200)
                .body("monthlyMillicredits", equalTo(100_000));

        assertThat(counted("hit") - hitsBefore).isGreaterThanOrEqualTo(2);
        assertThat(LedgerProbe.auditRows(alice)).isEqualTo(2);
        assertThat(LedgerProbe.auditRows(bob)).isEqualTo(1);
    }

    @Test
    void aCachedTokenIsNotAnsweredFromTheCacheOnceItHasExpired() throws InterruptedException {
        String user = "cache-expiring-" + UUID.randomUUID();
        String token = Tokens.userExpiringIn(user, 2);
        balance(token, 200);
        double hitsBefore = counted("hit");
        balance(token, 200);
        assertThat(counted("hit") - hitsBefore).as("the second call was answered from the cache").isEqualTo(1);

        Thread.sleep(3_100);

        // Past its exp the cache no longer answers: OIDC verifies the token again (and accepts it only
        // within its tolerance for clock skew, quarkus.oidc.token.lifespan-grace; ClockSkewTest).
        double missesBefore = counted("miss");
        hitsBefore = counted("hit");
        given().auth().oauth2(token).get("/api/credit/balance");
        assertThat(counted("hit") - hitsBefore).isZero();
        assertThat(counted("miss") - missesBefore).isEqualTo(1);
    }

    @Test
    void anIdTokenIsRefusedAndNeverCached() {
        String user = "cache-id-token-" + UUID.randomUUID();
        String idToken = Tokens.idToken(user);
        double hitsBefore = counted("hit");

        for (int i = 0; i < 3; i++) {
            balance(idToken, 401)
                    .contentType("application/problem+json");
        }

        assertThat(counted("hit") - hitsBefore).isZero();
        assertThat(LedgerProbe.auditRows(user)).isZero();
        // The same token as an access token passes.
        balance(Tokens.user(user), 200);
    }

    @Test
    void aCopyOfACachedTokenWithOneCharacterChangedIsRefused() {
        String user = "cache-tampered-" + UUID.randomUUID();
        String token = Tokens.user(user);
        balance(token, 200);
        balance(token, 200);

        int last = token.length() - 2;
        String tampered = token.substring(0, last) + (token.charAt(last) == 'A' ? 'B' : 'A') + token.substring(last + 1);

        balance(tampered, 401);
        balance(token, 200);
    }

    @Test
    void aCachedTokenKeepsTheRolesOfItsOwnClaims() {
        String admin = "cache-admin-" + UUID.randomUUID();
        String user = "cache-user-" + UUID.randomUUID();
        String adminToken = Tokens.admin(admin);
        String userToken = Tokens.user(user);
        balance(userToken, 200);

        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(adminToken).get("/api/admin/accounts/" + user).then().statusCode(200);
            given().auth().oauth2(userToken).get("/api/admin/accounts/" + user).then().statusCode(403);
        }
    }
}
