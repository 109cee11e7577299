package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The application's ObjectMapper reads prices exactly from the JSON text: a BigDecimal record
 * component is parsed from the number's digits, not through a double, although
 * {@code USE_BIG_DECIMAL_FOR_FLOATS} is off; and it writes them back as the same digits.
 */
@QuarkusTest
class PriceChangeJsonTest {

    @Inject
    ObjectMapper json;

    @Test
    void pricesRoundTripExactly() throws Exception {
        assertThat(json.isEnabled(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)).isFalse();
        PriceChangeRequest request = json.readValue("{\"inputCreditsPerMillion\":0.000001,"
                + "\"cachedInputCreditsPerMillion\":1234567.123456,\"cacheWriteCreditsPerMillion\":0.1,"
                + "\"outputCreditsPerMillion\":9007199254740993.000001,\"reasoningCreditsPerMillion\":null}",
                PriceChangeRequest.class);

        assertThat(request.inputCreditsPerMillion()).isEqualTo(new BigDecimal("0.000001"));
        assertThat(request.cachedInputCreditsPerMillion()).isEqualTo(new BigDecimal("1234567.123456"));
        assertThat(request.cacheWriteCreditsPerMillion()).isEqualTo(new BigDecimal("0.1"));
        // Beyond a double's 53 bits: a detour through double would lose the last digits.
        assertThat(request.outputCreditsPerMillion()).isEqualTo(new BigDecimal("9007199254740993.000001"));
        assertThat(request.reasoningCreditsPerMillion()).isNull();

        PriceRow row = new PriceRow(1, "m", request.inputCreditsPerMillion(), request.cachedInputCreditsPerMillion(),
                request.cacheWriteCreditsPerMillion(), request.outputCreditsPerMillion(), null, Instant.EPOCH,
                Instant.EPOCH, true, PriceRow.CURRENT);
        String written = json.writeValueAsString(row);
        assertThat(written).contains("\"inputCreditsPerMillion\":0.000001",
                "\"cachedInputCreditsPerMillion\":1234567.123456", "\"outputCreditsPerMillion\":9007199254740993.000001");
    }
}
