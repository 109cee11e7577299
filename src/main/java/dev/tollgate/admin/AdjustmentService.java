package dev.tollgate.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.tollgate.ledger.AdminMutation;
import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.Operation;
import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.RequestHash;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;

/**
 * Applies an admin's correction of a user's bucket through the ledger, in one transaction, opening
 * the account if the user has none. The audit row names the admin ({@code admin:<sub>}), the
 * client and, in its metadata, the reason.
 *
 * <p>Idempotency: the caller's key is stored as {@code tollgate:adjust:<key>} in the target account's
 * ledger ({@link AdminMutation}), so that it can never collide with a key the user sends with their own calls; the
 * fingerprint covers the admin and the request. A retry by the same admin with the same body
 * answers the stored entry; any other request under the key is a 409.
 */
@ApplicationScoped
public class AdjustmentService {

    /** An adjustment's key is stored as {@code tollgate:adjust:<key>}. */
    static final AdminMutation.Kind KIND = new AdminMutation.Kind("adjust", "admin-adjustment", "an adjustment",
            "An admin cannot adjust their own credits; another admin must do it.");
    private static final Logger LOG = Logger.getLogger(AdjustmentService.class);

    @Inject
    Ledger ledger;

    @Inject
    IdempotentMutations mutations;

    /**
     * The fingerprinted request: who asks and what. Serialized by {@link RequestHash}'s own
     * ObjectMapper, outside REST, hence registered for reflection in the native image.
     */
    @RegisterForReflection
    record Fingerprinted(String admin, AdjustmentRequest request) {
    }

    public Answer<AdjustmentResponse> adjust(String adminId, IdempotencyKey key, AdjustmentRequest request,
            RequestOrigin origin) {
        AdminMutation adjustment = AdminMutation.of(KIND, adminId, request.userId(), key,
                new Fingerprinted(adminId, request), request.reason(), origin);
        String actor = adjustment.actor();
        Answer<AdjustmentResponse> answer = mutations.apply(
                () -> response(ledger.adjust(request.userId(), request.targetBucket(),
                        Millicredits.of(request.amountMillicredits()), adjustment.mutation()), request, actor, key),
                adjustment.replayed(ledger, Operation.ADJUST, entry -> response(entry, request, actor, key)));
        if (!answer.replayed()) {
            LOG.infof("admin %s adjusted the %s bucket of user %s by %d millicredits (ledger entry %d)", adminId,
                    request.bucket(), request.userId(), request.amountMillicredits(), answer.value().entryId());
        }
        return answer;
    }

    private static AdjustmentResponse response(LedgerEntry entry, AdjustmentRequest request, String actor,
            IdempotencyKey key) {
        long amount = request.amountMillicredits();
        return new AdjustmentResponse(entry.id(), request.userId(), request.bucket(), amount,
                Millicredits.of(amount).credits(), request.reason(), actor, entry.monthlyDelta(),
                entry.purchasedDelta(), entry.reservedDelta(), BalanceSnapshot.of(entry.after()), key.value(),
                entry.createdAt());
    }
}
