package dev.tollgate.platform.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;

/**
 * The origin of the HTTP request being served on this thread, if there is one: for the audit rows
 * a request causes without naming its origin itself (the grant that opens an account on a user's
 * first call, a lazy monthly refresh, the entries of a job an admin runs). Scheduled jobs and
 * the one-shot command serve no HTTP request and get nothing.
 */
@ApplicationScoped
public class CurrentOrigin {

    @Inject
    Instance<ClientContext> client;

    public Optional<RequestOrigin> get() {
        ManagedContext requestContext = Arc.container().requestContext();
        if (!requestContext.isActive()) {
            return Optional.empty();
        }
        try {
            return Optional.of(client.get().origin());
        } catch (RuntimeException e) {
            // A request context without an HTTP request (a scheduled job): no origin.
            return Optional.empty();
        }
    }
}
