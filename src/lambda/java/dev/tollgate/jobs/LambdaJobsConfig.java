package dev.tollgate.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The jobs of the AWS Lambda deployment (Maven profile {@code lambda}). */
@ConfigMapping(prefix = "tollgate.lambda")
public interface LambdaJobsConfig {

    /**
     * Whether this function runs the jobs its EventBridge schedules name ({@link ScheduledJobResource}):
     * true on the job function only.
     */
    @WithDefault("false")
    boolean scheduledJobsEnabled();
}
