package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

class ProviderProblemMappersTest {

    @Test
    void unavailableCarriesRetryAfter() {
        Response response = new ProviderProblemMappers().unavailable(ProviderUnavailableException.circuitOpen("openai", 9));
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeaderString("Retry-After")).isEqualTo("9");
        assertThat(response.getMediaType().toString()).isEqualTo("application/problem+json");
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        assertThat(ProviderUnavailableException.busy("openai", "full", 0).retryAfterSeconds()).isEqualTo(1);
    }
}
