package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

import dev.tollgate.pricing.Usage;

class UsageNormalizerTest {

    private static Usage normalize(String json) {
        return UsageNormalizer.normalize(new JsonObject(json)).orElseThrow();
    }

    @Test
    void openAiPlainUsage() {
        assertThat(normalize("{\"prompt_tokens\":20,\"completion_tokens\":5,\"total_tokens\":25}"))
                .isEqualTo(new Usage(20, 0, 0, 5, 0));
    }

    @Test
    void openAiCachedTokensAreInsidePromptTokens() {
        assertThat(normalize("""
                {"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
                 "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
                 "completion_tokens_details":{"reasoning_tokens":0}}"""))
                .isEqualTo(new Usage(86, 1920, 0, 300, 0));
    }

    @Test
    void openAiReasoningTokensAreInsideCompletionTokens() {
        assertThat(normalize("""
                {"prompt_tokens":100,"completion_tokens":1100,
                 "completion_tokens_details":{"reasoning_tokens":1000,"accepted_prediction_tokens":0}}"""))
                .isEqualTo(new Usage(100, 0, 0, 100, 1000));
    }

    @Test
    void everyTokenIsCountedOnce() {
        Usage usage = normalize("""
                {"prompt_tokens":500,"completion_tokens":80,
                 "prompt_tokens_details":{"cached_tokens":300},"completion_tokens_details":{"reasoning_tokens":50}}""");
        assertThat(usage.total()).isEqualTo(500 + 80);
    }

    @Test
    void nullDetailsCountAsZero() {
        assertThat(normalize("{\"prompt_tokens\":7,\"completion_tokens\":3,\"prompt_tokens_details\":null,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":null}}"))
                .isEqualTo(new Usage(7, 0, 0, 3, 0));
    }

    @Test
    void anthropicCacheCountsAreBesideTheInput() {
        assertThat(normalize("""
                {"input_tokens":50,"output_tokens":200,
                 "cache_creation_input_tokens":1000,"cache_read_input_tokens":4000}"""))
                .isEqualTo(new Usage(50, 4000, 1000, 200, 0));
    }

    @Test
    void anthropicFieldsOnAnOpenAiCompatibleGatewayAreNotSubtracted() {
        assertThat(normalize("""
                {"prompt_tokens":50,"completion_tokens":200,
                 "cache_creation_input_tokens":1000,"cache_read_input_tokens":4000}"""))
                .isEqualTo(new Usage(50, 4000, 1000, 200, 0));
    }

    @Test
    void cacheReadsMirroredIntoTheOpenAiDetailAreCountedOnce() {
        // prompt_tokens includes the 4000 reads, reported twice: once as cached_tokens, once beside.
        assertThat(normalize("""
                {"prompt_tokens":4050,"completion_tokens":200,"prompt_tokens_details":{"cached_tokens":4000},
                 "cache_creation_input_tokens":0,"cache_read_input_tokens":4000}"""))
                .isEqualTo(new Usage(50, 4000, 0, 200, 0));
    }

    @Test
    void cacheReadsThatContradictTheOpenAiDetailAreInconsistent() {
        assertInconsistent("""
                {"prompt_tokens":4050,"completion_tokens":200,"prompt_tokens_details":{"cached_tokens":4000},
                 "cache_read_input_tokens":3000}""");
    }

    @Test
    void responsesApiDetailsAreInsideTheTotals() {
        assertThat(normalize("""
                {"input_tokens":300,"input_tokens_details":{"cached_tokens":200},
                 "output_tokens":90,"output_tokens_details":{"reasoning_tokens":40},"total_tokens":390}"""))
                .isEqualTo(new Usage(100, 200, 0, 50, 40));
    }

    @Test
    void missingUsageIsEmpty() {
        assertThat(UsageNormalizer.normalize(null)).isEmpty();
        assertThat(UsageNormalizer.normalize(new JsonObject())).isEmpty();
        assertThat(UsageNormalizer.normalize(new JsonObject().put("total_tokens", 12))).isEmpty();
        assertThat(UsageNormalizer.fromResponse(new JsonObject().put("id", "x"))).isEmpty();
        assertThat(UsageNormalizer.fromResponse(new JsonObject().putNull("usage"))).isEmpty();
        assertThat(UsageNormalizer.fromResponse(null)).isEmpty();
    }

    @Test
    void fromResponseReadsTheUsageMember() {
        assertThat(UsageNormalizer.fromResponse(new JsonObject(
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}")))
                .isEqualTo(Optional.of(new Usage(3, 0, 0, 4, 0)));
    }

    @Test
    void cachedAbovePromptIsInconsistent() {
        assertInconsistent("{\"prompt_tokens\":10,\"completion_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":11}}");
    }

    @Test
    void reasoningAboveCompletionIsInconsistent() {
        assertInconsistent("{\"prompt_tokens\":10,\"completion_tokens\":1,\"completion_tokens_details\":{\"reasoning_tokens\":2}}");
    }

    @Test
    void negativeCountsAreInconsistent() {
        assertInconsistent("{\"prompt_tokens\":-1,\"completion_tokens\":1}");
        assertInconsistent("{\"prompt_tokens\":1,\"completion_tokens\":-1}");
        assertInconsistent("{\"input_tokens\":1,\"output_tokens\":1,\"cache_read_input_tokens\":-5}");
    }

    @Test
    void countsMustBeWholeNumbers() {
        assertInconsistent("{\"prompt_tokens\":1.5,\"completion_tokens\":1}");
        assertInconsistent("{\"prompt_tokens\":\"12\",\"completion_tokens\":1}");
        assertThat(normalize("{\"prompt_tokens\":12.0,\"completion_tokens\":1}")).isEqualTo(new Usage(12, 0, 0, 1, 0));
    }

    @Test
    void anInputCountWithoutOutputCountIsInconsistent() {
        assertInconsistent("{\"prompt_tokens\":12}");
        assertInconsistent("{\"input_tokens\":12}");
    }

    @Test
    void usageThatIsNotAnObjectIsInconsistent() {
        assertThatThrownBy(() -> UsageNormalizer.fromResponse(new JsonObject().put("usage", 12)))
                .isInstanceOf(ProviderFailure.class);
        assertInconsistent("{\"prompt_tokens\":10,\"completion_tokens\":1,\"prompt_tokens_details\":5}");
    }

    @Test
    void anInconsistentUsageIsAProviderErrorWithoutDetailsInItsBody() {
        ProviderFailure failure = (ProviderFailure) org.assertj.core.api.Assertions.catchThrowable(
                () -> normalize("{\"prompt_tokens\":10,\"completion_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":11}}"));
        assertThat(failure.reason()).isEqualTo(ProviderFailure.Reason.INCONSISTENT_USAGE);
        assertThat(failure.problem().status()).isEqualTo(502);
        assertThat(failure.problem().members().get("type")).isEqualTo("https://tollgate.dev/problems/provider-error");
        assertThat(failure.getMessage()).contains("cached_tokens (11) exceeds prompt_tokens (10)");
    }

    private static void assertInconsistent(String json) {
        assertThatThrownBy(() -> normalize(json))
                .isInstanceOf(ProviderFailure.class)
                .satisfies(e -> assertThat(((ProviderFailure) e).reason()).isEqualTo(ProviderFailure.Reason.INCONSISTENT_USAGE));
    }
}
