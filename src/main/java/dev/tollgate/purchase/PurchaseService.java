package dev.tollgate.purchase;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

import dev.tollgate.ledger.Ledger;
import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.jdbc.DuplicateRequestException;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;

/**
 * Buying a credit pack: a pending purchase under the user's idempotency key, then a Stripe
 * Checkout Session for it, created outside any transaction and recorded in a second one. A retry
 * under the key answers the same purchase; if the first attempt never got its Checkout Session
 * (Stripe failed, or the app stopped in between), the retry creates it, under the same Stripe
 * idempotency key, so that Stripe makes one session however often it is asked.
 */
@ApplicationScoped
public class PurchaseService {

    @Inject
    PurchasesConfig config;

    @Inject
    StripeGateway stripe;

    @Inject
    Ledger ledger;

    @Inject
    IdempotentMutations mutations;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    public PurchaseViews.Packs packs() {
        requireConfigured();
        return new PurchaseViews.Packs(config.packs().entrySet().stream()
                .map(e -> PurchaseViews.Pack.of(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingLong(PurchaseViews.Pack::creditsMillicredits)
                        .thenComparing(PurchaseViews.Pack::packId))
                .toList());
    }

    public Answer<PurchaseViews.Purchase> buy(String userId, IdempotencyKey key, PurchaseRequest request) {
        requireConfigured();
        PurchasesConfig.Pack pack = pack(request.packId());
        IdempotentRequest buy = IdempotentRequest.of(key, "purchase", request);
        Answer<CreditPurchase> stored = mutations.apply(() -> insert(userId, buy, request.packId(), pack),
                Repeat.replayed(buy, storedKey -> findByKey(userId, storedKey), purchase -> true, purchase -> purchase));
        CreditPurchase purchase = stored.value();
        if (purchase.checkoutSessionId != null) {
            return new Answer<>(PurchaseViews.Purchase.of(purchase), stored.replayed());
        }
        StripeGateway.Checkout checkout = stripe.createCheckout(purchase, pack(purchase.packId), customerToSaveCard(userId));
        CreditPurchase withCheckout = transactions.inNewTransaction(() -> recordCheckout(purchase.id, checkout));
        return new Answer<>(PurchaseViews.Purchase.of(withCheckout), stored.replayed());
    }

    public PurchaseViews.PurchasePage page(String userId, int page, int size) {
        requireConfigured();
        return transactions.inNewTransaction(() -> {
            List<CreditPurchase> rows = CreditPurchase.<CreditPurchase> find("userId", Sort.descending("createdAt", "id"),
                    userId).page(Page.of(page, size + 1)).list();
            // One more row than the page says whether there is a next one.
            boolean more = rows.size() > size;
            return new PurchaseViews.PurchasePage(page, size, more,
                    rows.stream().limit(size).map(PurchaseViews.Purchase::of).toList());
        });
    }

    public PurchaseViews.Purchase purchase(String userId, UUID purchaseId) {
        requireConfigured();
        return transactions.inNewTransaction(() -> CreditPurchase.<CreditPurchase> findByIdOptional(purchaseId)
                .filter(p -> p.userId.equals(userId))
                .map(PurchaseViews.Purchase::of)
                .orElseThrow(PurchaseProblem::notFound));
    }

    void requireConfigured() {
        if (!config.configured()) {
            throw PurchaseProblem.notConfigured();
        }
    }

    PurchasesConfig.Pack pack(String packId) {
        PurchasesConfig.Pack pack = config.packs().get(packId);
        if (pack == null) {
            throw PurchaseProblem.unknownPack(packId);
        }
        return pack;
    }

    private CreditPurchase insert(String userId, IdempotentRequest buy, String packId, PurchasesConfig.Pack pack) {
        ledger.ensureAccount(userId);
        UUID id = UUID.randomUUID();
        // PostgreSQL keeps microseconds: the time returned is the time a replay will read back.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        int inserted = CreditPurchase.getEntityManager().createNativeQuery("""
                INSERT INTO credit_purchase (id, user_id, pack_id, credits_millicredits, amount_minor, currency, status,
                       idempotency_key, request_hash, created_at, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?9)
                ON CONFLICT (user_id, idempotency_key) DO NOTHING""")
                .setParameter(1, id)
                .setParameter(2, userId)
                .setParameter(3, packId)
                .setParameter(4, Math.multiplyExact(pack.credits(), Millicredits.PER_CREDIT))
                .setParameter(5, pack.price().amount())
                .setParameter(6, pack.price().currency())
                .setParameter(7, buy.key())
                .setParameter(8, buy.requestHash())
                .setParameter(9, now)
                .executeUpdate();
        if (inserted == 0) {
            throw new DuplicateRequestException("credit_purchase_idempotency_key");
        }
        return CreditPurchase.findById(id);
    }

    /**
     * The Stripe Customer to save the card of this purchase to, if the user has auto top-up on (made
     * the first time), else null: the card is saved only for a user who asked for top-ups.
     */
    private String customerToSaveCard(String userId) {
        AutoTopUp rule = transactions.inNewTransaction(() -> AutoTopUp.<AutoTopUp> findById(userId));
        if (rule == null || !rule.enabled) {
            return null;
        }
        if (rule.stripeCustomerId != null) {
            return rule.stripeCustomerId;
        }
        String customer = stripe.createCustomer(userId);
        return transactions.inNewTransaction(() -> {
            AutoTopUp locked = AutoTopUp.findById(userId, LockModeType.PESSIMISTIC_WRITE);
            if (locked.stripeCustomerId == null) {
                locked.stripeCustomerId = customer;
            }
            return locked.stripeCustomerId;
        });
    }

    private static Optional<CreditPurchase> findByKey(String userId, String key) {
        return CreditPurchase.find("userId = ?1 and idempotencyKey = ?2", userId, key).firstResultOptional();
    }

    private static CreditPurchase recordCheckout(UUID purchaseId, StripeGateway.Checkout checkout) {
        CreditPurchase purchase = CreditPurchase.findById(purchaseId, LockModeType.PESSIMISTIC_WRITE);
        if (purchase.checkoutSessionId == null) {
            purchase.checkoutSessionId = checkout.sessionId();
        }
        if (purchase.checkoutUrl == null) {
            purchase.checkoutUrl = checkout.url();
        }
        return purchase;
    }
}
