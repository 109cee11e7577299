package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The keys of the messages tier's former name ({@code chat}) still configure it, as
 * {@link RateLimitConfig} reads them through {@link MessagesTierKeyFallback}: the tier's own keys, a
 * plan's and the anonymous overrides, as properties and as environment variables; the new key wins
 * over the old one in the same source; the old keys are not reported as unknown.
 */
class MessagesTierKeyFallbackTest {

    /** The tiers as {@code application.properties} ships them (checked against the file below). */
    static final Map<String, String> SHIPPED = Map.of(
            "tollgate.rate-limit.general.limit", "100",
            "tollgate.rate-limit.general.period", "PT1M",
            "tollgate.rate-limit.messages.limit", "30",
            "tollgate.rate-limit.messages.period", "PT1M",
            "tollgate.rate-limit.sensitive.limit", "10",
            "tollgate.rate-limit.sensitive.period", "PT5M",
            "tollgate.rate-limit.webhooks.limit", "1200",
            "tollgate.rate-limit.webhooks.period", "PT1M");

    @Test
    void applicationPropertiesShipsTheseLimits() throws IOException {
        URL shipped = Thread.currentThread().getContextClassLoader().getResource("application.properties");
        assertThat(shipped).isNotNull();
        RateLimitConfig config = build(new PropertiesConfigSource(shipped, 250));
        assertThat(config.quota(Tier.GENERAL, null)).isEqualTo(new Quota(100, Duration.ofMinutes(1)));
        assertThat(config.quota(Tier.MESSAGES, null)).isEqualTo(new Quota(30, Duration.ofMinutes(1)));
        assertThat(config.quota(Tier.SENSITIVE, null)).isEqualTo(new Quota(10, Duration.ofMinutes(5)));
        for (Tier tier : Tier.values()) {
            assertThat(config.quota(tier, "free")).isEqualTo(config(Map.of()).quota(tier, "free"));
        }
    }

    @Test
    void theTiersOwnOldKeysConfigureTheMessagesTier() {
        RateLimitConfig config = config(Map.of(
                "tollgate.rate-limit.general.limit", "100",
                "tollgate.rate-limit.general.period", "PT1M",
                "tollgate.rate-limit.chat.limit", "45",
                "tollgate.rate-limit.chat.period", "PT2M",
                "tollgate.rate-limit.sensitive.limit", "10",
                "tollgate.rate-limit.sensitive.period", "PT5M"));
        assertThat(config.quota(Tier.MESSAGES, "free")).isEqualTo(new Quota(45, Duration.ofMinutes(2)));
    }

    @Test
    void inOneSourceTheNewKeyWins() {
        Map<String, String> both = new HashMap<>(SHIPPED);
        both.put("tollgate.rate-limit.chat.limit", "45");
        both.put("tollgate.rate-limit.plans.pro.chat.limit", "70");
        both.put("tollgate.rate-limit.plans.pro.messages.limit", "60");
        RateLimitConfig config = config(both);
        assertThat(config.quota(Tier.MESSAGES, "free").limit()).isEqualTo(30);
        assertThat(config.quota(Tier.MESSAGES, "pro").limit()).isEqualTo(60);
    }

    @Test
    void anOldKeyInAHigherSourceOverridesTheShippedDefault() {
        // As an old environment variable (ordinal 300) over application.properties (250).
        RateLimitConfig config = config(Map.of("tollgate.rate-limit.chat.limit", "45"));
        assertThat(config.quota(Tier.MESSAGES, null)).isEqualTo(new Quota(45, Duration.ofMinutes(1)));
        assertThat(config.quota(Tier.GENERAL, null).limit()).isEqualTo(100);
    }

    @Test
    void planAndAnonymousOverridesUnderTheOldNameApply() {
        RateLimitConfig config = config(Map.of(
                "tollgate.rate-limit.plans.pro.chat.limit", "60",
                "tollgate.rate-limit.plans.\"team.max\".chat.period", "PT30S",
                "tollgate.rate-limit.anonymous.chat.limit", "5",
                "tollgate.rate-limit.anonymous.chat.period", "PT1H"));
        assertThat(config.quota(Tier.MESSAGES, "pro")).isEqualTo(new Quota(60, Duration.ofMinutes(1)));
        assertThat(config.quota(Tier.MESSAGES, "team.max")).isEqualTo(new Quota(30, Duration.ofSeconds(30)));
        assertThat(config.quota(Tier.MESSAGES, null)).isEqualTo(new Quota(5, Duration.ofHours(1)));
        // Only the messages tier is renamed.
        assertThat(config.quota(Tier.SENSITIVE, "pro")).isEqualTo(new Quota(10, Duration.ofMinutes(5)));
        assertThat(config.quota(Tier.MESSAGES, "free").limit()).isEqualTo(30);
    }

    @Test
    void oldEnvironmentVariablesApply() {
        RateLimitConfig config = build(new EnvConfigSource(Map.of(
                "TOLLGATE_RATE_LIMIT_CHAT_LIMIT", "45",
                "TOLLGATE_RATE_LIMIT_PLANS_PRO_CHAT_LIMIT", "60",
                "TOLLGATE_RATE_LIMIT_ANONYMOUS_CHAT_PERIOD", "PT1H"), 300));
        assertThat(config.quota(Tier.MESSAGES, "free").limit()).isEqualTo(45);
        assertThat(config.quota(Tier.MESSAGES, "pro").limit()).isEqualTo(60);
        assertThat(config.quota(Tier.MESSAGES, null)).isEqualTo(new Quota(45, Duration.ofHours(1)));
    }

    @Test
    void theNamesMapBothWaysAndLeaveOtherKeysAlone() {
        assertThat(MessagesTierKeyFallback.formerName("tollgate.rate-limit.messages.limit"))
                .isEqualTo("tollgate.rate-limit.chat.limit");
        assertThat(MessagesTierKeyFallback.formerName("tollgate.rate-limit.plans.messages.messages.period"))
                .isEqualTo("tollgate.rate-limit.plans.messages.chat.period");
        assertThat(MessagesTierKeyFallback.currentName("tollgate.rate-limit.plans.chat.chat.period"))
                .isEqualTo("tollgate.rate-limit.plans.chat.messages.period");
        assertThat(MessagesTierKeyFallback.currentName("tollgate.rate.limit.anonymous.chat.limit"))
                .isEqualTo("tollgate.rate-limit.anonymous.messages.limit");
        for (String other : new String[] { "tollgate.rate-limit.general.limit", "tollgate.rate-limit.plans.chat.limit",
                "tollgate.rate-limit.chat.store", "tollgate.chat.limit", "quarkus.http.port" }) {
            assertThat(MessagesTierKeyFallback.formerName(other)).isEqualTo(other);
            assertThat(MessagesTierKeyFallback.currentName(other)).isEqualTo(other);
        }
    }

    /** The mapping over the shipped tiers (ordinal 250) and the given properties (ordinal 300). */
    static RateLimitConfig config(Map<String, String> properties) {
        return build(new PropertiesConfigSource(properties, "overrides", 300));
    }

    static RateLimitConfig build(ConfigSource overrides) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withInterceptors(new MessagesTierKeyFallback())
                .withSources(new PropertiesConfigSource(SHIPPED, "application.properties", 250), overrides)
                .withMapping(RateLimitConfig.class)
                .withValidateUnknown(true)
                .build();
        return config.getConfigMapping(RateLimitConfig.class);
    }
}
