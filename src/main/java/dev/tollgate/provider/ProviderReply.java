package dev.tollgate.provider;

import java.util.Optional;

import io.vertx.core.json.JsonObject;

import dev.tollgate.pricing.Usage;

/** The JSON body of a non-streaming chat completion, as the upstream sent it. */
public record ProviderReply(JsonObject body) {

    /**
     * The normalized usage of the reply; empty when the upstream reported none.
     *
     * @throws ProviderFailure if the reported counts are inconsistent
     */
    public Optional<Usage> usage() {
        return UsageNormalizer.fromResponse(body);
    }
}
