package dev.tollgate.platform.devauth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * The dev identity, and the refusal of the dev profile outside dev mode.
 *
 * <p>In dev mode ({@code ./mvnw quarkus:dev}) only, makes OIDC verify the tokens of
 * {@link DevTokenResource}: the public half of the dev key, read from {@code src/main/dev} of the
 * source tree, issuer {@code tollgate-dev}, audience {@code tollgate}. The key is public (it is in
 * the repository), so it is never part of the packaged application: not in its resources, not in
 * its configuration.
 *
 * <p>Dev mode is told by the launch mode, which the build fixes, not by the profile, which anyone
 * can set: an application that is not running in dev mode (the packaged one, above all) and is
 * started in the dev profile ({@code -Dquarkus.profile=dev}, {@code QUARKUS_PROFILE=dev}) stops
 * here, while its configuration is read — before any extension starts and long before the HTTP
 * port opens. The dev profile is made for dev mode (its embedded database, its identity); nothing
 * of it belongs in a deployment.
 */
public class DevIdentityConfigSourceFactory implements ConfigSourceFactory {

    /** The issuer and the audience of the dev tokens. */
    static final String ISSUER = "tollgate-dev";
    static final String AUDIENCE = "tollgate";
    static final String PUBLIC_KEY_KEY = "tollgate.dev.public-key";
    static final String PUBLIC_KEY_FILE = "src/main/dev/dev-signing-key.pub.pem";
    static final String REFUSAL = "Tollgate refuses to start in the dev profile (quarkus.profile / QUARKUS_PROFILE): "
            + "the dev profile, with its public dev key, is for ./mvnw quarkus:dev only. Start the packaged application "
            + "without a profile (prod).";
    /** Below application.properties (250); the keys are profiled ({@code %dev.}), so they win over its unprofiled ones. */
    static final int ORDINAL = 240;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains(LaunchMode.DEVELOPMENT.getDefaultProfile())) {
            return List.of();
        }
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            throw new IllegalStateException(REFUSAL);
        }
        ConfigValue configured = context.getValue(PUBLIC_KEY_KEY);
        Path file = Path.of(configured != null && configured.getValue() != null ? configured.getValue() : PUBLIC_KEY_FILE);
        String publicKey;
        try {
            publicKey = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        } catch (IOException e) {
            throw new UncheckedIOException("Dev mode verifies tokens with the dev key's public half, " + file.toAbsolutePath()
                    + ", which cannot be read: run ./mvnw quarkus:dev from the repository root", e);
        }
        return List.of(new PropertiesConfigSource(Map.of(
                "%dev.quarkus.oidc.auth-server-url", "",
                "%dev.quarkus.oidc.discovery-enabled", "false",
                "%dev.quarkus.oidc.public-key", publicKey,
                "%dev.quarkus.oidc.token.issuer", ISSUER,
                "%dev.quarkus.oidc.token.audience", AUDIENCE),
                "tollgate-dev-identity", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
