package dev.tollgate.admin;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link AdjustmentTest}, against the packaged application. */
@QuarkusIntegrationTest
class AdjustmentIT extends AdjustmentTest {
}
