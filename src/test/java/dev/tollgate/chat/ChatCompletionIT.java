package dev.tollgate.chat;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link ChatCompletionTest}, against the packaged application. */
@QuarkusIntegrationTest
class ChatCompletionIT extends ChatCompletionTest {
}
