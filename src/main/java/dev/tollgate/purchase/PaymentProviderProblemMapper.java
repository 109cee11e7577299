package dev.tollgate.purchase;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Adds {@code Retry-After} to the 503 of a failed call to Stripe, and logs the failure. */
public class PaymentProviderProblemMapper {

    private static final Logger LOG = Logger.getLogger(PaymentProviderProblemMapper.class);

    @ServerExceptionMapper
    public Response unavailable(PaymentProviderException e) {
        LOG.warn(e.getMessage());
        return Response.fromResponse(e.problem().toResponse())
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(PaymentProviderException.RETRY_AFTER_SECONDS))
                .build();
    }
}
