package dev.tollgate.membership;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How teams are formed. */
@ConfigMapping(prefix = "tollgate.teams")
public interface TeamsConfig {

    /**
     * A token claim (for example {@code org_id}) whose value names a team: a user whose token
     * carries the team's {@code claimValue} there is a member of it. None if unset.
     */
    Optional<String> membershipClaim();

    /**
     * How long a member found active may spend from the pool without the membership read before
     * each call (the call's own transaction checks it again); 0 reads it every time.
     */
    @WithDefault("PT5S")
    Duration membershipCacheTtl();

    /** The most members a team may have (removed ones aside). */
    @WithDefault("1000")
    int maxMembers();
}
