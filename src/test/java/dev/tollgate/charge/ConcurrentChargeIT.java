package dev.tollgate.charge;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link ConcurrentChargeTest}, against the packaged application. */
@QuarkusIntegrationTest
class ConcurrentChargeIT extends ConcurrentChargeTest {
}
