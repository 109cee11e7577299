package dev.tollgate.chat;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link OpenAiClientTest}, against the packaged application. */
@QuarkusIntegrationTest
class OpenAiClientIT extends OpenAiClientTest {
}
