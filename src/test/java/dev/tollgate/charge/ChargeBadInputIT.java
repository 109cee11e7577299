package dev.tollgate.charge;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link ChargeBadInputTest}, against the packaged application. */
@QuarkusIntegrationTest
class ChargeBadInputIT extends ChargeBadInputTest {
}
