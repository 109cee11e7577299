package dev.tollgate.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Activates {@link TollgateTestResources} for every Quarkus test of the module. */
@QuarkusTestResource(TollgateTestResources.class)
public final class TestResourcesActivation {

    private TestResourcesActivation() {
    }
}
