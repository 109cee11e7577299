package dev.tollgate.ledger;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The plans users can be on, and the one a new account starts with. */
@ConfigMapping(prefix = "tollgate.plans")
public interface PlansConfig {

    /** The plan of an account created on a user's first call. */
    @WithDefault("free")
    String defaultPlan();

    /** The plan of a team's pool, opened when the team is created. */
    @WithDefault("team")
    String teamPlan();

    /** Every plan by name. */
    Map<String, Plan> catalog();

    default Plan plan(String name) {
        Plan plan = catalog().get(name);
        if (plan == null) {
            throw new IllegalStateException("plan '" + name + "' is not configured under tollgate.plans.catalog");
        }
        return plan;
    }

    /** Whether users of this plan see an upgrade hint; false for a plan no longer configured. */
    default boolean upgradeHint(String name) {
        Plan plan = catalog().get(name);
        return plan != null && plan.upgradeHint();
    }

    interface Plan {
        /** Millicredits granted at each period start; the monthly bucket is replaced by this. */
        long monthlyAllowanceMillicredits();

        /**
         * If set, a refresh keeps the unused monthly credits and adds the allowance, and the monthly
         * bucket is then at most this many; if not, the monthly bucket is replaced by the allowance.
         */
        Optional<Long> rolloverCapMillicredits();

        /** Whether users of this plan are shown an upgrade hint when credits run low. */
        @WithDefault("false")
        boolean upgradeHint();

        /** Granted credits a new account on this plan starts with, beside the allowance; none if unset. */
        Optional<SignUpGrant> signUpGrant();
    }

    /** A lot of granted credits given at sign-up: how many, for how long, and its priority. */
    interface SignUpGrant {
        long millicredits();

        /** How long after the account opens the lot expires (ISO-8601, e.g. {@code P30D}). */
        Duration expiresAfter();

        @WithDefault("" + GrantTerms.DEFAULT_PRIORITY)
        int priority();

        @WithDefault("sign-up bonus")
        String reason();
    }
}
