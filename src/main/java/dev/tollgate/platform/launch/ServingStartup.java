package dev.tollgate.platform.launch;

/**
 * A bean that the HTTP function creates at start-up, so that no request pays for it (upstream
 * clients, checks of the request-path configuration), and that the job command never creates
 * ({@link ServingStartupBeans}). The bean's constructor does that work; the interface has no methods.
 */
public interface ServingStartup {
}
