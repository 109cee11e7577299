package dev.tollgate.platform.tx;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The fault run's first finding: after {@code pg_terminate_backend} of the app's sessions (what an
 * operator, a failover or a pooler restart does), every request that drew one of the dead pooled
 * connections answered 500. A lost connection is now retried on a fresh one.
 */
@QuarkusTest
class LostDatabaseSessionsTest {

    /** Ends every session of the app's database role on its database, except the one asking. */
    static long terminateTheAppsSessions() throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                         WHERE usename = current_user AND datname = current_database() AND pid <> pg_backend_pid()""")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void mutationsAndReadsRightAfterTheSessionsWereTerminatedSucceed() throws Exception {
        String user = openAccount("lost-sessions");
        // Several calls first, so that the pool holds several connections, all of which die.
        for (int i = 0; i < 4; i++) {
            charge(user, "warm-" + i, chargeBody("gpt-4o-mini", 1000, 0)).then().statusCode(201);
        }
        assertThat(terminateTheAppsSessions()).isPositive();

        charge(user, "after-terminate", chargeBody("gpt-4o-mini", 1000, 500)).then().statusCode(201);
        as(user).get("/api/credit/balance").then().statusCode(200);
        String reservation = as(user).contentType(ContentType.JSON).header("Idempotency-Key", "hold-after-terminate")
                .body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":10}")
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");

        assertThat(terminateTheAppsSessions()).isPositive();
        as(user).post("/api/credit/reservations/" + reservation + "/release").then().statusCode(200);

        // 4 x 15 + 45 charged, the hold held and freed; every change in the ledger once.
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 4 * 15 - 45, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1 + 5 + 2);
    }

    /**
     * CI's finding: when the price cache had gone stale, the charge's price read was the first
     * statement on a dead connection, and the read's failure was answered 503 "prices unavailable"
     * without the lost connection behind it, so the transaction did not retry. A model priced by
     * this test alone is read for the first time after the sessions were cut, whatever the cache.
     */
    @Test
    void aChargeWhosePriceIsFirstReadOnADeadConnectionIsRetried() throws Exception {
        String user = openAccount("lost-sessions-price");
        String model = "lost-sessions-" + UUID.randomUUID();
        LedgerProbe.seedPrice(model);
        for (int i = 0; i < 4; i++) {
            as(user).get("/api/credit/balance").then().statusCode(200);
        }
        assertThat(terminateTheAppsSessions()).isPositive();

        charge(user, "price-after-terminate", chargeBody(model, 1000, 1000)).then().statusCode(201)
                .body("costMillicredits", equalTo(2_000));

        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 2_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    /** Reads that are not on the money path (usage, audit, price sheet) retry a dead connection too. */
    @Test
    void readsRightAfterTheSessionsWereTerminatedSucceed() throws Exception {
        String user = openAccount("lost-sessions-reads");
        String admin = Tokens.admin("lost-sessions-admin");
        for (int i = 0; i < 4; i++) {
            as(user).get("/api/credit/balance").then().statusCode(200);
        }

        assertThat(terminateTheAppsSessions()).isPositive();
        as(user).get("/api/credit/usage").then().statusCode(200);
        assertThat(terminateTheAppsSessions()).isPositive();
        given().auth().oauth2(admin).queryParam("userId", user).get("/api/admin/audit").then().statusCode(200)
                .body("items", hasSize(1));
        assertThat(terminateTheAppsSessions()).isPositive();
        given().auth().oauth2(admin).get("/api/admin/pricing").then().statusCode(200);
    }
}
