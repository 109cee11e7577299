package dev.tollgate.admin;

import static dev.tollgate.admin.AdminApi.PRICE_REASON;
import static dev.tollgate.admin.AdminApi.USER_AGENT;
import static dev.tollgate.admin.AdminApi.asAdmin;
import static dev.tollgate.admin.AdminApi.newAdmin;
import static dev.tollgate.admin.AdminApi.newModel;
import static dev.tollgate.admin.AdminApi.priceBody;
import static dev.tollgate.admin.AdminApi.putPrice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Every admin action shows up in {@code credit_audit_log} with who, when and why — also the ones
 * that move no credits (adjustments are covered by {@link AdjustmentTest}): a price change and a
 * job run on demand. Such rows belong to no account and carry no balances.
 */
@QuarkusTest
class AdminActionAuditTest {

    private final String admin = newAdmin();

    private Response auditOf(String operation) {
        return asAdmin(admin).queryParam("actor", "admin:" + admin).queryParam("operation", operation)
                .get("/api/admin/audit");
    }

    private long rowsOfThisAdmin() {
        return LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE actor = ?", "admin:" + admin);
    }

    @Test
    void aPriceChangeIsAuditedWithTheAdminTheReasonAndThePrices() {
        String model = newModel();
        Response put = putPrice(admin, model, priceBody("1.5", "6", null));
        put.then().statusCode(201);
        long priceId = put.<Integer> path("price.id").longValue();

        auditOf("price_change").then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].operation", equalTo("PRICE_CHANGE"))
                .body("items[0].userId", nullValue())
                .body("items[0].actor", equalTo("admin:" + admin))
                .body("items[0].createdAt", notNullValue())
                .body("items[0].monthlyDeltaMillicredits", equalTo(0))
                .body("items[0].availableAfterMillicredits", nullValue())
                .body("items[0].clientIp", notNullValue())
                .body("items[0].userAgent", equalTo(USER_AGENT))
                .body("items[0].metadata.reason", equalTo(PRICE_REASON))
                .body("items[0].metadata.model", equalTo(model))
                .body("items[0].metadata.priceId", equalTo((int) priceId))
                .body("items[0].metadata.inputCreditsPerMillion", comparesEqualTo(new BigDecimal("1.5")));
    }

    @Test
    void aRefusedPriceChangeLeavesNoAuditRow() {
        String model = newModel();
        putPrice(admin, model, "{\"inputCreditsPerMillion\":1,\"cachedInputCreditsPerMillion\":0,"
                + "\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":1}")
                .then().statusCode(400).contentType("application/problem+json");
        assertThat(rowsOfThisAdmin()).isZero();
    }

    @Test
    void aJobRunIsAuditedWithTheAdminTheReasonAndWhatItDid() {
        asAdmin(admin).queryParam("reason", "holds piled up after the incident")
                .post("/api/admin/jobs/expire-holds")
                .then().statusCode(200).body("status", equalTo("done"));

        auditOf("job_run").then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].operation", equalTo("JOB_RUN"))
                .body("items[0].userId", nullValue())
                .body("items[0].actor", equalTo("admin:" + admin))
                .body("items[0].userAgent", equalTo(USER_AGENT))
                .body("items[0].metadata.reason", equalTo("holds piled up after the incident"))
                .body("items[0].metadata.job", equalTo("expire-holds"))
                .body("items[0].metadata.status", equalTo("done"))
                .body("items[0].metadata.processed", notNullValue());
    }

    @Test
    void aJobRunWithoutAReasonIsAuditedAsRunOnDemand() {
        asAdmin(admin).post("/api/admin/credit/process-compensations").then().statusCode(200);

        auditOf("job_run").then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].metadata.reason", equalTo("run on demand (no reason given)"))
                .body("items[0].metadata.job", equalTo("process-compensations"));
    }

    @Test
    void anUnknownJobOrABadReasonRunsNothingAndLeavesNoAuditRow() {
        asAdmin(admin).post("/api/admin/jobs/no-such-job").then().statusCode(404)
                .contentType("application/problem+json");
        asAdmin(admin).queryParam("reason", "a\u0001b").post("/api/admin/jobs/expire-holds").then().statusCode(400)
                .contentType("application/problem+json");
        asAdmin(admin).queryParam("reason", "r".repeat(501)).post("/api/admin/jobs/expire-holds").then()
                .statusCode(400);
        assertThat(rowsOfThisAdmin()).isZero();
    }

    @Test
    void theSchemaKeepsAdminActionsApartFromBalanceChanges() {
        String actor = "admin:" + admin;
        // An admin action without a reason, or with a balance, or on an account, is refused.
        assertThatThrownBy(() -> LedgerProbe.execute("INSERT INTO credit_audit_log (operation, monthly_delta, "
                + "purchased_delta, reserved_delta, actor, metadata, created_at) VALUES ('JOB_RUN', 0, 0, 0, ?, "
                + "'{}'::jsonb, now())", actor)).hasMessageContaining("credit_audit_log_balance_change_or_admin_action");
        assertThatThrownBy(() -> LedgerProbe.execute("INSERT INTO credit_audit_log (operation, monthly_delta, "
                + "purchased_delta, reserved_delta, actor, metadata, created_at) VALUES ('PRICE_CHANGE', 5, 0, 0, ?, "
                + "'{\"reason\":\"r\"}'::jsonb, now())", actor))
                .hasMessageContaining("credit_audit_log_balance_change_or_admin_action");
        // A balance change without an account or without balances is refused.
        assertThatThrownBy(() -> LedgerProbe.execute("INSERT INTO credit_audit_log (operation, monthly_delta, "
                + "purchased_delta, reserved_delta, actor, created_at) VALUES ('GRANT', 5, 0, 0, ?, now())", actor))
                .hasMessageContaining("credit_audit_log_balance_change_or_admin_action");
        assertThat(rowsOfThisAdmin()).isZero();
    }
}
