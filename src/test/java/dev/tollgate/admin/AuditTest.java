package dev.tollgate.admin;

import static dev.tollgate.admin.AdminApi.adjust;
import static dev.tollgate.admin.AdminApi.adjustment;
import static dev.tollgate.admin.AdminApi.asAdmin;
import static dev.tollgate.admin.AdminApi.newAdmin;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** {@code GET /api/admin/audit}: every column of the ledger rows, filtered, newest first, in bounded pages. */
@QuarkusTest
class AuditTest {

    private final String admin = newAdmin();

    /** A user with four ledger rows: the opening grant, a charge, and two adjustments. */
    private String userWithHistory() {
        String user = openAccount("audit");
        charge(user, "c-" + UUID.randomUUID(), chargeBody("gpt-4o-mini", 1_000, 0)).then().statusCode(201);
        adjust(admin, "a1-" + UUID.randomUUID(), adjustment(user, "purchased", 500, "first")).then().statusCode(201);
        adjust(admin, "a2-" + UUID.randomUUID(), adjustment(user, "monthly", -100, "second")).then().statusCode(201);
        return user;
    }

    private RequestSpecification audit() {
        return asAdmin(admin);
    }

    @Test
    void everyRowOfAUserNewestFirstWithEveryColumn() {
        String user = userWithHistory();
        Response page = audit().queryParam("userId", user).get("/api/admin/audit");
        page.then().statusCode(200)
                .body("userId", equalTo(user))
                .body("page", equalTo(0))
                .body("size", equalTo(50))
                .body("hasMore", equalTo(false))
                .body("from", notNullValue())
                .body("to", notNullValue())
                .body("items.operation", contains("ADJUST", "ADJUST", "CHARGE", "GRANT"))
                .body("items.userId", everyItem(equalTo(user)))
                .body("items[0].actor", equalTo("admin:" + admin))
                .body("items[0].clientIp", notNullValue())
                .body("items[0].userAgent", equalTo(AdminApi.USER_AGENT))
                .body("items[0].metadata.reason", equalTo("second"))
                .body("items[0].metadata.admin", equalTo(admin))
                .body("items[0].monthlyDeltaMillicredits", equalTo(-100))
                .body("items[0].purchasedDeltaMillicredits", equalTo(0))
                .body("items[0].reservedDeltaMillicredits", equalTo(0))
                .body("items[0].monthlyAfterMillicredits", equalTo(100_000 - 15 - 100))
                .body("items[0].purchasedAfterMillicredits", equalTo(500))
                .body("items[0].reservedAfterMillicredits", equalTo(0))
                .body("items[0].availableAfterMillicredits", equalTo(100_000 - 15 - 100 + 500))
                .body("items[0].idempotencyKey", startsWith("tollgate:adjust:a2-"))
                .body("items[0].requestHash", notNullValue())
                .body("items[0].usageId", nullValue())
                .body("items[0].createdAt", notNullValue())
                .body("items[2].usageId", notNullValue())
                .body("items[2].actor", equalTo("user:" + user))
                .body("items[3].actor", equalTo("system:account-opening"))
                .body("items[3].metadata.reason", equalTo("account opened"));
        List<Integer> ids = page.path("items.id");
        assertThat(ids).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
    }

    @Test
    void filtersByOperationAndActor() {
        String user = userWithHistory();
        audit().queryParam("userId", user).queryParam("operation", "adjust").get("/api/admin/audit")
                .then().statusCode(200)
                .body("operation", equalTo("adjust"))
                .body("items", hasSize(2))
                .body("items.operation", everyItem(equalTo("ADJUST")));
        audit().queryParam("userId", user).queryParam("operation", "CHARGE").get("/api/admin/audit")
                .then().statusCode(200).body("items", hasSize(1));
        audit().queryParam("userId", user).queryParam("operation", "refund").get("/api/admin/audit")
                .then().statusCode(200).body("items", empty());
        // Across users: everything this admin did, in the last hour.
        audit().queryParam("actor", "admin:" + admin).queryParam("from", Instant.now().minusSeconds(3600).toString())
                .get("/api/admin/audit")
                .then().statusCode(200)
                .body("userId", nullValue())
                .body("items", hasSize(2))
                .body("items.actor", everyItem(equalTo("admin:" + admin)));
    }

    @Test
    void filtersByTime() {
        Instant before = Instant.now().minusSeconds(1);
        String user = userWithHistory();
        Instant after = Instant.now().plusSeconds(1);
        audit().queryParam("userId", user).queryParam("from", before.toString()).queryParam("to", after.toString())
                .get("/api/admin/audit").then().statusCode(200).body("items", hasSize(4));
        audit().queryParam("userId", user).queryParam("from", after.toString())
                .queryParam("to", after.plusSeconds(60).toString())
                .get("/api/admin/audit").then().statusCode(200).body("items", empty());
        audit().queryParam("userId", user).queryParam("from", before.minus(Duration.ofDays(3)).toString())
                .queryParam("to", before.toString())
                .get("/api/admin/audit").then().statusCode(200).body("items", empty());
    }

    @Test
    void pagesAreBoundedAndSayWhetherMoreFollow() {
        String user = userWithHistory();
        List<Integer> all = audit().queryParam("userId", user).get("/api/admin/audit").path("items.id");
        for (int page = 0; page < 4; page++) {
            audit().queryParam("userId", user).queryParam("size", 1).queryParam("page", page).get("/api/admin/audit")
                    .then().statusCode(200)
                    .body("page", equalTo(page))
                    .body("size", equalTo(1))
                    .body("hasMore", equalTo(page < 3))
                    .body("items.id", contains(all.get(page)));
        }
        audit().queryParam("userId", user).queryParam("size", 3).queryParam("page", 1).get("/api/admin/audit")
                .then().statusCode(200).body("hasMore", equalTo(false)).body("items.id", contains(all.get(3)));
        audit().queryParam("userId", user).queryParam("size", 200).queryParam("page", 10_000).get("/api/admin/audit")
                .then().statusCode(200).body("items", empty());
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(
                Arguments.of("size 0", "size", "0"),
                Arguments.of("size 201", "size", "201"),
                Arguments.of("size not a number", "size", "ten"),
                Arguments.of("page negative", "page", "-1"),
                Arguments.of("page too far", "page", "10001"),
                Arguments.of("page fraction", "page", "1.5"),
                Arguments.of("from a date", "from", "2025-01-01"),
                Arguments.of("from garbage", "from", "yesterday"),
                Arguments.of("to garbage", "to", "now"),
                Arguments.of("from after to", "from", Instant.now().plusSeconds(3600).toString()),
                Arguments.of("range too long", "from", Instant.now().minus(Duration.ofDays(367)).toString()),
                Arguments.of("unknown operation", "operation", "steal"),
                Arguments.of("user too long", "userId", "u".repeat(256)),
                Arguments.of("user with control character", "userId", "a\tb"),
                Arguments.of("actor not ascii", "actor", "admin:\u00e9"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badQueries")
    void aBadQueryIs400(String name, String parameter, String value) {
        audit().queryParam(parameter, value).get("/api/admin/audit")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/invalid-request"));
    }
}
