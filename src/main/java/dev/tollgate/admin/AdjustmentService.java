package dev.tollgate.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.tollgate.ledger.AdminActionLog;
import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Operation;
import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.DerivedKey;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.idempotency.RequestHash;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;

/**
 * Applies an admin's correction of a user's bucket through the ledger, in one transaction, opening
 * the account if the user has none. The audit row names the admin ({@code admin:<sub>}), the
 * client and, in its metadata, the reason.
 *
 * <p>Idempotency: the caller's key is stored as {@code tollgate:adjust:<key>} in the target account's
 * ledger (a {@link DerivedKey}), so that it can never collide with a key the user sends with their own calls; the
 * fingerprint covers the admin and the request. A retry by the same admin with the same body
 * answers the stored entry; any other request under the key is a 409.
 */
@ApplicationScoped
public class AdjustmentService {

    static final String OPERATION = "admin-adjustment";
    static final String KEY_KIND = "adjust";
    static final int MAX_KEY_LENGTH = 255 - DerivedKey.of(KEY_KIND, "").length();
    static final String ACTOR_PREFIX = AdminActionLog.ADMIN_ACTOR_PREFIX;
    /** The width of {@code credit_audit_log.actor}. */
    static final int MAX_ACTOR_LENGTH = 255;
    private static final Logger LOG = Logger.getLogger(AdjustmentService.class);

    @Inject
    Ledger ledger;

    @Inject
    IdempotentMutations mutations;

    @Inject
    ObjectMapper json;

    /**
     * The fingerprinted request: who asks and what. Serialized by {@link RequestHash}'s own
     * ObjectMapper, outside REST, hence registered for reflection in the native image.
     */
    @RegisterForReflection
    record Fingerprinted(String admin, AdjustmentRequest request) {
    }

    public Answer<AdjustmentResponse> adjust(String adminId, IdempotencyKey key, AdjustmentRequest request,
            RequestOrigin origin) {
        if (key.value().length() > MAX_KEY_LENGTH) {
            throw AdminProblem.idempotencyKeyTooLong();
        }
        String actor = ACTOR_PREFIX + adminId;
        if (actor.length() > MAX_ACTOR_LENGTH) {
            throw AdminProblem.unauditableActor();
        }
        if (adminId.equals(request.userId())) {
            throw AdminProblem.selfAdjustment();
        }
        IdempotentRequest adjustment = IdempotentRequest.derived(DerivedKey.of(KEY_KIND, key.value()), OPERATION,
                new Fingerprinted(adminId, request));
        Mutation mutation = new Mutation(adjustment.key(), adjustment.requestHash(), actor, origin.clientIp(),
                origin.userAgent(), null, null, metadata(adminId, request));
        Answer<AdjustmentResponse> answer = mutations.apply(
                () -> response(ledger.adjust(request.userId(), request.targetBucket(),
                        Millicredits.of(request.amountMillicredits()), mutation), request, actor, key),
                Repeat.replayed(adjustment, storedKey -> ledger.findByKey(request.userId(), storedKey),
                        entry -> entry.operation() == Operation.ADJUST, entry -> response(entry, request, actor, key)));
        if (!answer.replayed()) {
            LOG.infof("admin %s adjusted the %s bucket of user %s by %d millicredits (ledger entry %d)", adminId,
                    request.bucket(), request.userId(), request.amountMillicredits(), answer.value().entryId());
        }
        return answer;
    }

    /** The audit row's metadata, built as a JSON tree: the reason is the admin's text, never spliced into JSON. */
    private String metadata(String adminId, AdjustmentRequest request) {
        ObjectNode metadata = json.createObjectNode();
        metadata.put("reason", request.reason());
        metadata.put("admin", adminId);
        return metadata.toString();
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
