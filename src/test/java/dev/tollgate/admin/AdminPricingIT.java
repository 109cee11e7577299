package dev.tollgate.admin;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link AdminPricingTest}, against the packaged application. */
@QuarkusIntegrationTest
class AdminPricingIT extends AdminPricingTest {
}
