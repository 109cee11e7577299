package dev.tollgate.charge;

import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.ConcurrentCalls;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Metrics;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Many charges at once on one account: no overspend, no error, the ledger adds up; they are
 * committed together in fewer transactions than charges.
 */
@QuarkusTest
class ConcurrentChargeTest {

    // 2,000 output tokens of gpt-4o (1,000 credits/M) = 2 credits; the free plan's 100 credits cover 50.
    private static final String TWO_CREDITS = chargeBody("gpt-4o", 0, 2_000);

    @Test
    void sixtyFourChargesOnAnAccountThatCoversFiftyChargeExactlyFifty() throws Exception {
        String user = openAccount("race");
        double batchesBefore = Metrics.value("tollgate_charges_batch_size_count");
        double batchedBefore = Metrics.value("tollgate_charges_batch_size_sum");

        List<HttpResponse<String>> responses = ConcurrentCalls.post(64, "/api/credit/charges", Tokens.user(user),
                n -> "race-" + n, n -> TWO_CREDITS);

        Map<Integer, Long> byStatus = responses.stream()
                .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        assertThat(byStatus).containsOnlyKeys(201, 402);
        assertThat(byStatus.get(201)).isEqualTo(50);
        assertThat(byStatus.get(402)).isEqualTo(14);
        assertThat(responses).filteredOn(r -> r.statusCode() == 402)
                .allSatisfy(r -> assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json"));

        assertThat(LedgerProbe.buckets(user)).containsExactly(0, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(0, 0, 0);
        assertThat(LedgerProbe.negativePoints(user)).isZero();
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(50);
        // Every charge ran in a batch, and some batch held more than one.
        double batched = Metrics.value("tollgate_charges_batch_size_sum") - batchedBefore;
        assertThat(batched).isEqualTo(64);
        assertThat(Metrics.value("tollgate_charges_batch_size_count") - batchesBefore).isLessThan(batched);
    }

    @Test
    void theSameChargeSentConcurrentlyUnderOneKeyChargesOnce() throws Exception {
        String user = openAccount("race-key");

        List<HttpResponse<String>> responses = ConcurrentCalls.post(16, "/api/credit/charges", Tokens.user(user),
                n -> "one-key", n -> TWO_CREDITS);

        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(201);
        assertThat(responses.stream().map(HttpResponse::body).collect(Collectors.toSet())).hasSize(1);
        assertThat(responses.stream().map(r -> r.headers().firstValue("Idempotent-Replayed").orElse(""))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())))
                .containsEntry("false", 1L).containsEntry("true", 15L);
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 2_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }
}
