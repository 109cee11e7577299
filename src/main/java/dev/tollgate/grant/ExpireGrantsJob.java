package dev.tollgate.grant;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tollgate.ledger.GrantLot;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;
import dev.tollgate.platform.tx.Transactions;

/**
 * Removes the unspent remainder of grant lots past their expiry, account by account, each in a
 * transaction of its own ({@link Ledger#expireDueGrants}: one GRANT_EXPIRY entry per lot). A lot
 * whose credits live holds still need keeps them until a later run, once the holds are resolved.
 * Then it announces the lots that expire within the notice ({@link ExpiringGrants}).
 */
@ApplicationScoped
public class ExpireGrantsJob implements Job {

    public static final String NAME = "expire-grants";
    private static final Logger LOG = Logger.getLogger(ExpireGrantsJob.class);

    @Inject
    Ledger ledger;

    @Inject
    Transactions transactions;

    @Inject
    GrantsConfig config;

    @Inject
    Clock clock;

    @Inject
    ExpiringGrants expiring;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public JobReport run() {
        List<String> accounts = transactions.inNewTransaction(() -> dueAccounts(config.expiryMaxAccounts()));
        int expired = 0;
        int failed = 0;
        for (String userId : accounts) {
            try {
                expired += transactions.inNewTransaction(() -> ledger.expireDueGrants(userId).size());
            } catch (RuntimeException e) {
                failed++;
                LOG.errorf(e, "expiring the due grant lots of user %s failed; the next run tries again", userId);
            }
        }
        int noticed = expiring.notifyDue(config.expiryMaxAccounts());
        return JobReport.done(name(), expired, failed, accounts.size() + " accounts with due lots, " + noticed
                + " lots expiring soon announced");
    }

    @SuppressWarnings("unchecked")
    private List<String> dueAccounts(int max) {
        return GrantLot.getEntityManager().createNativeQuery("""
                SELECT user_id FROM credit_grant_lot WHERE remaining > 0 AND expires_at <= ?1
                 GROUP BY user_id ORDER BY MIN(expires_at) LIMIT ?2""")
                .setParameter(1, clock.instant())
                .setParameter(2, max)
                .getResultList();
    }
}
