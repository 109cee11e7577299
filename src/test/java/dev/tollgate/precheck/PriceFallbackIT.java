package dev.tollgate.precheck;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link PriceFallbackTest}, against the packaged application. */
@QuarkusIntegrationTest
class PriceFallbackIT extends PriceFallbackTest {
}
