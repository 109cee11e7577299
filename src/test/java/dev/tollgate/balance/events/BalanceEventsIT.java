package dev.tollgate.balance.events;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link BalanceEventsTest}, against the packaged application. */
@QuarkusIntegrationTest
class BalanceEventsIT extends BalanceEventsTest {
}
