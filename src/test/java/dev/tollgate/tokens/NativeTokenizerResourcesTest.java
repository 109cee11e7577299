package dev.tollgate.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.knuddels.jtokkit.api.EncodingType;

/**
 * jtokkit reads its encodings from the classpath at run time, which a native image only carries if
 * they are listed in {@code quarkus.native.resources.includes}: every encoding a model is counted
 * with must be listed, or the native binary would fail on the first estimate of such a model.
 */
class NativeTokenizerResourcesTest {

    @Test
    void everyEncodingInUseIsIncludedInTheNativeImage() throws IOException {
        Set<String> included = includes();
        assertThat(OpenAiEncodings.used()).isNotEmpty();
        for (EncodingType encoding : OpenAiEncodings.used()) {
            String resource = "com/knuddels/jtokkit/" + encoding.getName() + ".tiktoken";
            assertThat(included).as("quarkus.native.resources.includes").contains(resource);
            assertThat(getClass().getClassLoader().getResource(resource)).as(resource + " on the classpath").isNotNull();
        }
    }

    @Test
    void theIncludesNameOnlyFilesThatExist() throws IOException {
        for (String resource : includes()) {
            assertThat(getClass().getClassLoader().getResource(resource)).as(resource).isNotNull();
        }
    }

    private static Set<String> includes() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = NativeTokenizerResourcesTest.class.getClassLoader()
                .getResourceAsStream("application.properties")) {
            properties.load(in);
        }
        String value = properties.getProperty("quarkus.native.resources.includes", "");
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
