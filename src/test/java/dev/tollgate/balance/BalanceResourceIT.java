package dev.tollgate.balance;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link BalanceResourceTest}, against the packaged application. */
@QuarkusIntegrationTest
class BalanceResourceIT extends BalanceResourceTest {
}
