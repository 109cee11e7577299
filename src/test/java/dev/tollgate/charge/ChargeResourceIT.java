package dev.tollgate.charge;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link ChargeResourceTest}, against the packaged application. */
@QuarkusIntegrationTest
class ChargeResourceIT extends ChargeResourceTest {
}
