package dev.tollgate.platform.launch;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two ways the one artifact starts: serving HTTP (no arguments), or as the one-shot job command
 * ({@code job <name>}), which runs one job against the database and exits. A job needs nothing of
 * the HTTP function: {@link #prepareJob()} switches off, before Quarkus starts, every listener and
 * every part that would want the HTTP function's settings or cost start-up time for nothing.
 */
public final class Launch {

    /** The first argument of the job command. */
    public static final String JOB = "job";

    /**
     * What the job command switches off: the HTTP listener, the management interface (health,
     * metrics), OIDC (so no identity provider needs to be configured or answer) and the scheduler.
     */
    private static final Map<String, String> JOB_SETTINGS = Collections.unmodifiableMap(new TreeMap<>(Map.of(
            "quarkus.http.host-enabled", "false",
            "quarkus.management.host-enabled", "false",
            "quarkus.oidc.tenant-enabled", "false",
            "quarkus.scheduler.enabled", "false")));

    private Launch() {
    }

    /** Whether these command-line arguments start the job command. */
    public static boolean isJob(String... arguments) {
        return arguments != null && arguments.length > 0 && JOB.equals(arguments[0]);
    }

    /** The Quarkus properties the job command sets, with their values. */
    public static Map<String, String> jobSettings() {
        return JOB_SETTINGS;
    }

    /**
     * Sets {@link #JOB_SETTINGS} as system properties, which rank above the environment and
     * {@code application.properties}: called before Quarkus starts, they decide what it starts.
     */
    public static void prepareJob() {
        JOB_SETTINGS.forEach(System::setProperty);
    }
}
