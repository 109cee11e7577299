package dev.tollgate.platform.tx;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link LostDatabaseSessionsTest}, against the packaged application. */
@QuarkusIntegrationTest
class LostDatabaseSessionsIT extends LostDatabaseSessionsTest {
}
