package dev.tollgate.jobs;

import io.quarkus.test.junit.main.QuarkusMainIntegrationTest;

/** The one-shot command of the packaged application (what a Kubernetes CronJob runs). */
@QuarkusMainIntegrationTest
class JobCommandIT extends JobCommandTest {
}
