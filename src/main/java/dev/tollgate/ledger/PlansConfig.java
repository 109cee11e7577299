package dev.tollgate.ledger;

import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The plans users can be on, and the one a new account starts with. */
@ConfigMapping(prefix = "tollgate.plans")
public interface PlansConfig {

    /** The plan of an account created on a user's first call. */
    @WithDefault("free")
    String defaultPlan();

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
        java.util.Optional<Long> rolloverCapMillicredits();

        /** Whether users of this plan are shown an upgrade hint when credits run low. */
        @WithDefault("false")
        boolean upgradeHint();
    }
}
