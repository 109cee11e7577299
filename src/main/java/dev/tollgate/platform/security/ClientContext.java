package dev.tollgate.platform.security;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import io.vertx.core.http.HttpServerRequest;

/** Where a request came from, for the audit trail: the peer's IP and its user agent. */
@RequestScoped
public class ClientContext {

    private static final int MAX_USER_AGENT_LENGTH = 512;

    @Inject
    HttpServerRequest request;

    public RequestOrigin origin() {
        return new RequestOrigin(clientIp(), userAgent());
    }

    public String clientIp() {
        return request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    }

    public String userAgent() {
        String agent = request.getHeader("User-Agent");
        if (agent == null) {
            return null;
        }
        return agent.length() > MAX_USER_AGENT_LENGTH ? agent.substring(0, MAX_USER_AGENT_LENGTH) : agent;
    }
}
