package dev.tollgate.ledger;

/**
 * Who pays for a call: the account charged, and the user who asked. On the user's own account the
 * two are the same; on a team pool ({@code team:<id>}) the user is a member spending from it.
 */
public record Payer(String accountId, String userId) {

    /** The prefix of a team pool's account id; a user's id never starts with it. */
    public static final String TEAM_ACCOUNT_PREFIX = "team:";

    public Payer {
        if (accountId == null || userId == null) {
            throw new IllegalArgumentException("a payer names an account and a user");
        }
    }

    /** The user paying from their own account. */
    public static Payer self(String userId) {
        return new Payer(userId, userId);
    }

    public boolean isPool() {
        return isPoolAccount(accountId);
    }

    /** The member spending from a pool; {@code null} on the user's own account. */
    public String memberId() {
        return isPool() ? userId : null;
    }

    /**
     * The operation a request's fingerprint covers: on a pool, with the member, so that a key one
     * member used answers no other member's request (409, not their charge replayed: the members
     * of a pool share its idempotency keys). Unchanged on a user's own account.
     */
    public String fingerprinted(String operation) {
        return isPool() ? operation + " by " + userId : operation;
    }

    public static boolean isPoolAccount(String accountId) {
        return accountId.startsWith(TEAM_ACCOUNT_PREFIX);
    }
}
