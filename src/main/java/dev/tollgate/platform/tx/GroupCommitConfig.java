package dev.tollgate.platform.tx;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the charges of one account are committed together ({@link GroupCommit}). */
@ConfigMapping(prefix = "tollgate.charges.batch")
public interface GroupCommitConfig {

    /** Whether concurrent charges of one account share a transaction; off: one transaction each. */
    @WithDefault("true")
    boolean enabled();

    /**
     * The most works one shared transaction runs. Each runs in a subtransaction (a savepoint), and
     * PostgreSQL keeps at most 64 of them per transaction in its shared-memory cache: beyond that,
     * every other session's snapshot of the account gets slower. At most 60.
     */
    @WithDefault("32")
    int maxSize();
}
