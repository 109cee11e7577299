package dev.tollgate.purchase;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.tollgate.platform.money.Millicredits;

/** What the purchase endpoints answer. */
public final class PurchaseViews {

    private PurchaseViews() {
    }

    /** A credit pack on sale. */
    public record Pack(String packId, long credits, long creditsMillicredits, long priceAmount, String priceCurrency) {

        static Pack of(String id, PurchasesConfig.Pack pack) {
            return new Pack(id, pack.credits(), pack.credits() * Millicredits.PER_CREDIT, pack.price().amount(),
                    pack.price().currency());
        }
    }

    public record Packs(List<Pack> packs) {
    }

    /**
     * A purchase as its buyer sees it: {@code checkoutUrl} is where to pay while it is pending;
     * {@code grantedMillicredits} what it added, {@code clawedBackMillicredits} what a refund or a
     * dispute took back of it.
     */
    public record Purchase(UUID purchaseId, String packId, String status, long creditsMillicredits, BigDecimal credits,
            long priceAmount, String priceCurrency, String checkoutUrl, long grantedMillicredits,
            long clawedBackMillicredits, Instant createdAt, Instant updatedAt) {

        static Purchase of(CreditPurchase p) {
            return new Purchase(p.id, p.packId, p.status, p.creditsMillicredits,
                    Millicredits.of(p.creditsMillicredits).credits(), p.amountMinor, p.currency,
                    p.status().equals(PurchaseStatus.PENDING) ? p.checkoutUrl : null, p.grantedMillicredits,
                    p.clawedBackMillicredits, p.createdAt, p.updatedAt);
        }
    }

    /** A page of the caller's purchases, newest first. */
    public record PurchasePage(int page, int size, boolean more, List<Purchase> items) {
    }

}
