package dev.tollgate.ledger;

/**
 * Told of every ledger entry inside the transaction that writes it, right after its statement
 * (entries of one account arrive in ledger order: the account row is locked until commit); a
 * rolled-back entry rolls back whatever a listener wrote with it. An account's opening grant is not
 * passed on: the balance an account starts with is where it starts, not a change. Runs on the
 * money path: a listener must cost nothing for an entry it does not act on.
 */
public interface EntryListener {

    void written(LedgerEntry entry);
}
