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

    public static boolean isPoolAccount(String accountId) {
        return accountId.startsWith(TEAM_ACCOUNT_PREFIX);
    }
}
