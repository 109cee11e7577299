package dev.tollgate.chat;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link ConcurrentStreamsTest}, against the packaged application. */
@QuarkusIntegrationTest
class ConcurrentStreamsIT extends ConcurrentStreamsTest {
}
