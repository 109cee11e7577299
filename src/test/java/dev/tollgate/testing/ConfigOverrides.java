package dev.tollgate.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A test profile that only overrides configuration: a subclass names its keys once, in its
 * constructor. Quarkus tells profiles apart by class, so each subclass still gets an application of
 * its own.
 */
public abstract class ConfigOverrides implements QuarkusTestProfile {

    private final Map<String, String> overrides;

    protected ConfigOverrides(Map<String, String> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public final Map<String, String> getConfigOverrides() {
        return overrides;
    }
}
