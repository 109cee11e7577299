package dev.tollgate.ratelimit;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.chargeBody;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.ConfigOverrides;
import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * A deployment configured before the messages tier was renamed sets {@code tollgate.rate-limit.chat.limit}:
 * that key alone still sets the messages tier's limit (its period stays the shipped one), for every
 * call of the tier; the other tiers keep theirs.
 */
@QuarkusTest
@TestProfile(FormerMessagesKeyTest.FormerKeyOnly.class)
class FormerMessagesKeyTest {

    static final int LIMIT = 7;

    public static class FormerKeyOnly extends ConfigOverrides {
        public FormerKeyOnly() {
            super(Map.of("tollgate.rate-limit.chat.limit", String.valueOf(LIMIT)));
        }
    }

    @Test
    void theFormerKeySetsTheMessagesTier() {
        String user = Api.openAccount("former-key");
        Api.charge(user, "former-charge", chargeBody("gpt-4o-mini", 100, 50)).then().statusCode(201)
                .header("RateLimit-Limit", String.valueOf(LIMIT))
                .header("RateLimit-Policy", LIMIT + ";w=60");
        RateLimitTest.reserve(user, "former-hold").then().statusCode(201)
                .header("RateLimit-Limit", String.valueOf(LIMIT));
        as(user).contentType(ContentType.JSON).body("{\"model\":\"gpt-4o-mini\"}").post("/v1/chat/completions")
                .then().statusCode(400).header("RateLimit-Limit", String.valueOf(LIMIT));
        as(user).get("/api/credit/balance").then().statusCode(200)
                .header("RateLimit-Limit", String.valueOf(TollgateTestResources.GENEROUS_LIMIT));
    }
}
