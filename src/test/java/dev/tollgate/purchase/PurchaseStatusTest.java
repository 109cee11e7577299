package dev.tollgate.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PurchaseStatusTest {

    @ParameterizedTest(name = "{0}, paid {1}, refunded {2} of 500, dispute {3}: {4}")
    @CsvSource(nullValues = "-", value = {
            "pending, false, -, -, pending",
            "expired, false, -, -, expired",
            "failed, false, -, -, failed",
            "failed, false, 500, -, failed",
            "pending, true, -, -, paid",
            "paid, true, 0, -, paid",
            "paid, true, 125, -, partially_refunded",
            "partially_refunded, true, 500, -, refunded",
            "paid, true, 0, needs_response, disputed",
            "disputed, true, 0, lost, disputed",
            "disputed, true, 0, won, paid",
            "disputed, true, 125, won, partially_refunded"
    })
    void theStatusIsWhatStripeSaidLast(String before, boolean paid, Long refunded, String dispute, String expected) {
        CreditPurchase purchase = new CreditPurchase();
        purchase.status = before;
        purchase.paid = paid;
        purchase.amountMinor = 500;
        Optional<StripePayment> payment = Optional.empty();
        if (refunded != null || dispute != null) {
            StripePayment p = new StripePayment();
            p.amountMinor = 500L;
            p.refundedMinor = refunded == null ? 0 : refunded;
            p.disputeStatus = dispute;
            payment = Optional.of(p);
        }
        assertThat(PurchaseReconciler.status(purchase, payment).wire()).isEqualTo(expected);
    }
}
