package dev.tollgate.provider;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/**
 * The upstream refused the request as the caller wrote it (its HTTP 400: an unknown parameter, a
 * context too long, ...). Relayed as 400 {@code provider-rejected-request} with the provider's own
 * message, from which the API key and the upstream's host have been removed.
 */
public class ProviderRequestRejectedException extends ProblemException {

    private final String providerMessage;
    private final String param;
    private final String code;

    public ProviderRequestRejectedException(String providerMessage, String param, String code) {
        super("the provider rejected the request");
        this.providerMessage = providerMessage;
        this.param = param;
        this.code = code;
    }

    /** The provider's explanation, cleaned of secrets; never null. */
    public String providerMessage() {
        return providerMessage;
    }

    @Override
    public Problem problem() {
        Problem problem = Problem.of(ProblemType.PROVIDER_REJECTED_REQUEST, providerMessage);
        if (param != null) {
            problem.with("param", param);
        }
        if (code != null) {
            problem.with("code", code);
        }
        return problem;
    }
}
