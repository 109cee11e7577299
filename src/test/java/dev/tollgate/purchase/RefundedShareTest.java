package dev.tollgate.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RefundedShareTest {

    @ParameterizedTest(name = "{2} of {1} refunded from a pack of {0}: {3} taken back")
    @CsvSource({
            "100000, 500, 0, 0",
            "100000, 500, 125, 25000",
            "100000, 500, 500, 100000",
            "100000, 500, 900, 100000",
            // 100000 x 1 / 3 = 33333.33...: rounded up, never leaving a fraction with the user.
            "100000, 3, 1, 33334",
            "100000, 3, 2, 66667",
            // No overflow with a large pack and amount.
            "1000000000000, 100000000, 99999999, 999999990000"
    })
    void theRefundedShareIsRoundedUpAndNeverMoreThanThePack(long credits, long amount, long refunded, long expected) {
        assertThat(PurchaseReconciler.refundedShare(credits, amount, refunded)).isEqualTo(expected);
    }
}
