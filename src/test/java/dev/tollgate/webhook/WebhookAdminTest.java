package dev.tollgate.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.emptyIterable;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The admin API of webhook endpoints: the life of an endpoint, its Idempotency-Key, and bad input
 * answered with problem details while nothing is written. (The test profile allows http and
 * private addresses, for the local receivers; WebhookRulesTest proves the guard with them off.)
 */
@QuarkusTest
class WebhookAdminTest {

    static final String HOOKS = "/api/admin/webhooks";
    static final String URL = "https://chat.example.com/hooks/tollgate";

    static RequestSpecification admin() {
        return given().auth().oauth2(Tokens.admin("webhook-admin-api"));
    }

    static Response create(String key, String body) {
        return admin().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post(HOOKS);
    }

    static long endpoints() {
        return LedgerProbe.count("SELECT COUNT(*) FROM webhook_endpoint WHERE url <> ?", "");
    }

    static long keys() {
        return LedgerProbe.count("SELECT COUNT(*) FROM webhook_admin_request WHERE admin_id = ?", "webhook-admin-api");
    }

    @Test
    void anEndpointIsCreatedReadChangedAndDeleted() {
        String key = "create-" + UUID.randomUUID();
        String body = "{\"url\":\"" + URL + "\",\"eventTypes\":[\"balance.low\",\"purchase.completed\",\"balance.low\"],"
                + "\"description\":\"chat backend\"}";
        Response created = create(key, body);
        created.then().statusCode(201).contentType(ContentType.JSON).header("Idempotent-Replayed", "false")
                .body("url", equalTo(URL))
                .body("eventTypes", containsInAnyOrder("balance.low", "purchase.completed"))
                .body("enabled", equalTo(true))
                .body("description", equalTo("chat backend"))
                .body("secret", startsWith("whsec_"));
        String id = created.path("id");
        String secret = created.path("secret");
        assertThat(WebhookSecret.key(secret)).isPresent();

        // A retry answers the same endpoint and secret; the key with another body is a conflict.
        create(key, body).then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo(id)).body("secret", equalTo(secret));
        create(key, body.replace("chat backend", "other")).then().statusCode(409)
                .contentType("application/problem+json").body("type", equalTo("https://tollgate.dev/problems/idempotency-key-reused"));
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM webhook_endpoint WHERE id = CAST(? AS uuid)", id)).isEqualTo(1);

        // The secret is shown once.
        admin().get(HOOKS + "/" + id).then().statusCode(200).body("id", equalTo(id)).body("secret", nullValue());
        admin().get(HOOKS).then().statusCode(200).body("id", hasItem(id)).body("secret", not(hasItem(notNullValue())));

        admin().contentType(ContentType.JSON).header("Idempotency-Key", "off-" + UUID.randomUUID())
                .body("{\"enabled\":false,\"eventTypes\":[]}").patch(HOOKS + "/" + id)
                .then().statusCode(200).body("enabled", equalTo(false)).body("eventTypes", emptyIterable())
                .body("url", equalTo(URL)).body("description", equalTo("chat backend"));
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM webhook_endpoint WHERE id = CAST(? AS uuid) AND NOT enabled",
                id)).isEqualTo(1);
        admin().get(HOOKS + "/" + id + "/deliveries").then().statusCode(200).body("size()", equalTo(0));

        String delete = "delete-" + UUID.randomUUID();
        admin().header("Idempotency-Key", delete).delete(HOOKS + "/" + id).then().statusCode(200)
                .body("deleted", equalTo(true)).header("Idempotent-Replayed", "false");
        admin().header("Idempotency-Key", delete).delete(HOOKS + "/" + id).then().statusCode(200)
                .header("Idempotent-Replayed", "true");
        admin().get(HOOKS + "/" + id).then().statusCode(404)
                .body("type", equalTo("https://tollgate.dev/problems/webhook-endpoint-not-found"));
    }

    @Test
    void aGivenSecretIsKeptAndADisabledEndpointGetsNoDeliveries() throws Exception {
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[48]);
        String id = create("create-" + UUID.randomUUID(), "{\"url\":\"" + URL + "\",\"secret\":\"" + secret
                + "\",\"enabled\":false}").then().statusCode(201).body("secret", equalTo(secret))
                .body("eventTypes", emptyIterable()).extract().path("id");
        try {
            assertThat(LedgerProbe.text("SELECT secret FROM webhook_endpoint WHERE id = CAST(? AS uuid)", id)).isEqualTo(secret);
            // Not enabled: a charge across the low threshold publishes nothing to it.
            String user = Api.openAccount("hook-disabled");
            LedgerProbe.seedPrice("webhook-admin-model");
            Api.charge(user, "spend-" + UUID.randomUUID(), Api.chargeBody("webhook-admin-model", 90_000, 0))
                    .then().statusCode(201);
            assertThat(LedgerProbe.count("SELECT COUNT(*) FROM webhook_delivery WHERE endpoint_id = CAST(? AS uuid)", id))
                    .isZero();
        } finally {
            admin().header("Idempotency-Key", "delete-" + UUID.randomUUID()).delete(HOOKS + "/" + id).then().statusCode(200);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://chat.example.com/hooks", "https://user:secret@chat.example.com/hooks", "/hooks",
            "chat.example.com/hooks", "https://chat.example.com/hooks#x", "https://chat example.com/", "" })
    void badUrlsAre422AndWriteNothing(String url) {
        long before = endpoints();
        long keysBefore = keys();
        create("bad-" + UUID.randomUUID(), "{\"url\":\"" + url + "\"}").then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/webhook-url-not-allowed"))
                .body("reason", notNullValue());
        assertThat(endpoints()).isEqualTo(before);
        assertThat(keys()).isEqualTo(keysBefore);
    }

    @Test
    void unknownEventTypesBadSecretsAndMissingKeysChangeNothing() {
        long before = endpoints();
        create("bad-" + UUID.randomUUID(), "{\"url\":\"" + URL + "\",\"eventTypes\":[\"balance.low\",\"balance.exploded\"]}")
                .then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/unknown-event-type"))
                .body("eventType", equalTo("balance.exploded"));
        for (String secret : new String[] { "whsec_c2hvcnQ=", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!",
                "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[65]) }) {
            create("bad-" + UUID.randomUUID(), "{\"url\":\"" + URL + "\",\"secret\":\"" + secret + "\"}")
                    .then().statusCode(422).contentType("application/problem+json")
                    .body("type", equalTo("https://tollgate.dev/problems/webhook-secret-invalid"));
        }
        admin().contentType(ContentType.JSON).body("{\"url\":\"" + URL + "\"}").post(HOOKS).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-missing"));
        create("bad-" + UUID.randomUUID(), "{\"url\":\"" + URL + "\",\"description\":\"" + "d".repeat(256) + "\"}")
                .then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/invalid-request"));
        create("bad-" + UUID.randomUUID(), "{\"url\":\"" + URL + "\",\"colour\":\"red\"}").then().statusCode(400);
        assertThat(endpoints()).isEqualTo(before);
    }

    @Test
    void changesOfUnknownEndpointsAndBadChangesAreRefused() {
        String id = create("create-" + UUID.randomUUID(), "{\"url\":\"" + URL + "\"}").then().statusCode(201)
                .extract().path("id");
        try {
            admin().contentType(ContentType.JSON).header("Idempotency-Key", "p-" + UUID.randomUUID())
                    .body("{\"enabled\":false}").patch(HOOKS + "/" + UUID.randomUUID())
                    .then().statusCode(404).body("type", equalTo("https://tollgate.dev/problems/webhook-endpoint-not-found"));
            admin().contentType(ContentType.JSON).header("Idempotency-Key", "p-" + UUID.randomUUID())
                    .body("{\"url\":\"http://u:p@chat.example.com/\",\"enabled\":false}").patch(HOOKS + "/" + id)
                    .then().statusCode(422);
            admin().contentType(ContentType.JSON).header("Idempotency-Key", "p-" + UUID.randomUUID())
                    .body("{\"eventTypes\":[\"nope\"],\"enabled\":false}").patch(HOOKS + "/" + id)
                    .then().statusCode(422).body("eventType", equalTo("nope"));
            admin().get(HOOKS + "/" + id).then().statusCode(200).body("enabled", equalTo(true)).body("url", equalTo(URL));
            admin().get(HOOKS + "/" + id + "/deliveries?status=lost").then().statusCode(400);
            admin().get(HOOKS + "/" + id + "/deliveries?limit=0").then().statusCode(400);
            admin().get(HOOKS + "/" + UUID.randomUUID() + "/deliveries").then().statusCode(404);
            admin().header("Idempotency-Key", "r-" + UUID.randomUUID()).post(HOOKS + "/deliveries/" + Long.MAX_VALUE + "/replay")
                    .then().statusCode(404).body("type", equalTo("https://tollgate.dev/problems/webhook-delivery-not-found"));
            admin().header("Idempotency-Key", "d-" + UUID.randomUUID()).delete(HOOKS + "/" + UUID.randomUUID())
                    .then().statusCode(404);
        } finally {
            admin().header("Idempotency-Key", "delete-" + UUID.randomUUID()).delete(HOOKS + "/" + id).then().statusCode(200);
        }
    }

    @Test
    void onlyAdminsManageWebhooks() {
        String user = Api.newUser("hook-user");
        long before = endpoints();
        Api.as(user).contentType(ContentType.JSON).header("Idempotency-Key", "u-" + UUID.randomUUID())
                .body("{\"url\":\"" + URL + "\"}").post(HOOKS).then().statusCode(403);
        Api.as(user).get(HOOKS).then().statusCode(403);
        given().get(HOOKS).then().statusCode(401);
        assertThat(endpoints()).isEqualTo(before);
    }
}
