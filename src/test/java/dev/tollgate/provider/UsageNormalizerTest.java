package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.vertx.core.json.JsonObject;

import dev.tollgate.pricing.Usage;

class UsageNormalizerTest {

    private static Usage normalize(String json) {
        return UsageNormalizer.normalize(new JsonObject(json)).orElseThrow();
    }

    static Stream<Arguments> usages() {
        return Stream.of(
                argumentSet("OpenAI plain usage", "{\"prompt_tokens\":20,\"completion_tokens\":5,\"total_tokens\":25}",
                        new Usage(20, 0, 0, 5, 0)),
                argumentSet("OpenAI cached tokens are inside prompt tokens", """
                        {"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
                         "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
                         "completion_tokens_details":{"reasoning_tokens":0}}""",
                        new Usage(86, 1920, 0, 300, 0)),
                argumentSet("OpenAI reasoning tokens are inside completion tokens", """
                        {"prompt_tokens":100,"completion_tokens":1100,
                         "completion_tokens_details":{"reasoning_tokens":1000,"accepted_prediction_tokens":0}}""",
                        new Usage(100, 0, 0, 100, 1000)),
                argumentSet("null details count as zero", "{\"prompt_tokens\":7,\"completion_tokens\":3,\"prompt_tokens_details\":null,"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":null}}",
                        new Usage(7, 0, 0, 3, 0)),
                argumentSet("Anthropic cache counts are beside the input", """
                        {"input_tokens":50,"output_tokens":200,
                         "cache_creation_input_tokens":1000,"cache_read_input_tokens":4000}""",
                        new Usage(50, 4000, 1000, 200, 0)),
                argumentSet("Anthropic fields on an OpenAI-compatible gateway are not subtracted", """
                        {"prompt_tokens":50,"completion_tokens":200,
                         "cache_creation_input_tokens":1000,"cache_read_input_tokens":4000}""",
                        new Usage(50, 4000, 1000, 200, 0)),
                // prompt_tokens includes the 4000 reads, reported twice: once as cached_tokens, once beside.
                argumentSet("cache reads mirrored into the OpenAI detail are counted once", """
                        {"prompt_tokens":4050,"completion_tokens":200,"prompt_tokens_details":{"cached_tokens":4000},
                         "cache_creation_input_tokens":0,"cache_read_input_tokens":4000}""",
                        new Usage(50, 4000, 0, 200, 0)),
                argumentSet("responses API details are inside the totals", """
                        {"input_tokens":300,"input_tokens_details":{"cached_tokens":200},
                         "output_tokens":90,"output_tokens_details":{"reasoning_tokens":40},"total_tokens":390}""",
                        new Usage(100, 200, 0, 50, 40)));
    }

    @ParameterizedTest
    @MethodSource("usages")
    void normalizesIntoThePricingBuckets(String json, Usage expected) {
        assertThat(normalize(json)).isEqualTo(expected);
    }

    @Test
    void everyTokenIsCountedOnce() {
        Usage usage = normalize("""
                {"prompt_tokens":500,"completion_tokens":80,
                 "prompt_tokens_details":{"cached_tokens":300},"completion_tokens_details":{"reasoning_tokens":50}}""");
        assertThat(usage.total()).isEqualTo(500 + 80);
    }

    @Test
    void cacheReadsThatContradictTheOpenAiDetailAreInconsistent() {
        assertInconsistent("""
                {"prompt_tokens":4050,"completion_tokens":200,"prompt_tokens_details":{"cached_tokens":4000},
                 "cache_read_input_tokens":3000}""");
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
