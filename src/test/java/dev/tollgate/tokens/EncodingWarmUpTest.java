package dev.tollgate.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.knuddels.jtokkit.api.EncodingType;

class EncodingWarmUpTest {

    private final TokenEstimator estimator = new TokenEstimator(new BigDecimal("4.0"), Map.of());

    @Test
    void theServingApplicationLoadsEveryUsedEncodingInTheBackground() throws InterruptedException {
        Thread loader = new EncodingWarmUp(estimator, true).begin(new String[0]);
        assertThat(loader).isNotNull();
        assertThat(loader.isDaemon()).as("never keeps the JVM from exiting").isTrue();
        loader.join(60_000);
        assertThat(loader.isAlive()).isFalse();
        // What the warm-up loads is what the models are counted with: both encodings.
        assertThat(estimator.loadEncodings()).containsExactlyInAnyOrder(EncodingType.O200K_BASE, EncodingType.CL100K_BASE);
        assertThat(estimator.textTokens("gpt-4o", "hello world")).isEqualTo(2);
    }

    @Test
    void theJobCommandAndASwitchedOffWarmUpLoadNothing() {
        assertThat(new EncodingWarmUp(estimator, true).begin(new String[] { "job", "expire-holds" })).isNull();
        assertThat(new EncodingWarmUp(estimator, false).begin(new String[0])).isNull();
    }
}
