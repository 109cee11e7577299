package dev.tollgate.platform.security;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import io.vertx.core.http.HttpServerRequest;

import dev.tollgate.platform.http.ClientIp;

/**
 * Where a request came from, for the audit trail: its client IP (the same as the rate limits'
 * key, {@link ClientIp}) and its user agent.
 */
@RequestScoped
public class ClientContext {

    private static final int MAX_USER_AGENT_LENGTH = 512;

    @Inject
    HttpServerRequest request;

    @Inject
    ClientIp clientIps;

    public RequestOrigin origin() {
        return new RequestOrigin(clientIp(), userAgent());
    }

    public String clientIp() {
        return clientIps.of(request);
    }

    public String userAgent() {
        String agent = request.getHeader("User-Agent");
        if (agent == null) {
            return null;
        }
        return agent.length() > MAX_USER_AGENT_LENGTH ? agent.substring(0, MAX_USER_AGENT_LENGTH) : agent;
    }
}
