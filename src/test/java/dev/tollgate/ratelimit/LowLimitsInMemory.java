package dev.tollgate.ratelimit;

import java.util.HashMap;
import java.util.Map;

/** {@link LowLimits} with the single-instance store ({@code tollgate.rate-limit.store=memory}). */
public class LowLimitsInMemory extends LowLimits {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("tollgate.rate-limit.store", "memory");
        return overrides;
    }
}
