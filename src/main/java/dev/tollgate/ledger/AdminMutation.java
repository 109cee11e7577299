package dev.tollgate.ledger;

import java.util.function.Function;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.tollgate.platform.idempotency.DerivedKey;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.TypedProblem;
import dev.tollgate.platform.security.RequestOrigin;

/**
 * An admin's change of another user's credits, checked and ready for the ledger: the admin's key
 * stored as {@code tollgate:<kind>:<key>} (a {@link DerivedKey}) in the target account's ledger, out
 * of reach of the user's own keys; the fingerprint over the admin and the request; the admin as
 * actor ({@code admin:<sub>}), the client, and the reason and the admin in the audit row's
 * metadata. Refused before anything is read: a key too long once derived, an actor too long for
 * the audit trail, an admin's own account.
 */
public record AdminMutation(String userId, IdempotentRequest request, Mutation mutation) {

    /** The width of {@code credit_audit_log.actor}. */
    static final int MAX_ACTOR_LENGTH = 255;

    /**
     * A kind of admin change: the kind of its derived key, the operation its fingerprint names, how
     * its key's refusal names it ("an adjustment") and the refusal of an admin's own account.
     */
    public record Kind(String keyKind, String operation, String noun, String selfRefusal) {

        /** The longest key an admin may send: what fits the 255 characters of the key once derived. */
        public int maxKeyLength() {
            return 255 - DerivedKey.of(keyKind, "").length();
        }
    }

    /**
     * @param fingerprinted who asks and what, serialized into the fingerprint
     * @param reason the admin's text, put into the metadata as a JSON value, never spliced into JSON
     */
    public static AdminMutation of(Kind kind, String adminId, String userId, IdempotencyKey key, Object fingerprinted,
            String reason, RequestOrigin origin) {
        if (key.value().length() > kind.maxKeyLength()) {
            throw new Refusal(ProblemType.IDEMPOTENCY_KEY_INVALID, "The idempotency key of " + kind.noun() + " is 1 to "
                    + kind.maxKeyLength() + " visible ASCII characters.");
        }
        String actor = AdminActionLog.ADMIN_ACTOR_PREFIX + adminId;
        if (actor.length() > MAX_ACTOR_LENGTH) {
            throw new Refusal(ProblemType.FORBIDDEN,
                    "The token's subject is too long to be recorded as the actor of the audit trail.");
        }
        if (adminId.equals(userId)) {
            throw new Refusal(ProblemType.SELF_ADJUSTMENT_FORBIDDEN, kind.selfRefusal());
        }
        IdempotentRequest request = IdempotentRequest.derived(DerivedKey.of(kind.keyKind(), key.value()),
                kind.operation(), fingerprinted);
        String metadata = JsonNodeFactory.instance.objectNode().put("reason", reason).put("admin", adminId).toString();
        return new AdminMutation(userId, request, new Mutation(request.key(), request.requestHash(), actor,
                origin.clientIp(), origin.userAgent(), null, null, metadata));
    }

    public String actor() {
        return mutation.actor();
    }

    /** A retry answers the entry stored under the key if it is this operation of the same request; else 409. */
    public <A> Repeat<A> replayed(Ledger ledger, Operation operation, Function<LedgerEntry, A> answer) {
        return Repeat.replayed(request, storedKey -> ledger.findByKey(userId, storedKey),
                entry -> entry.operation() == operation, answer);
    }

    /** An admin change refused before anything is read. */
    static final class Refusal extends TypedProblem {

        Refusal(ProblemType type, String detail) {
            super(type, detail);
        }
    }
}
