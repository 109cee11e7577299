package dev.tollgate.platform.devauth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Set;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/**
 * Dev mode only: mints a bearer token signed by the dev key in {@code src/main/dev}, so that a
 * person can call every endpoint without an identity provider (dev mode verifies them through
 * {@link DevIdentityConfigSourceFactory}). This resource exists in no build but dev mode's, and its
 * class is left out of the packaged application
 * ({@code quarkus.package.jar.user-configured-ignored-entries}); prod verifies tokens of a real
 * OIDC provider.
 */
@IfBuildProfile("dev")
@jakarta.ws.rs.Path("/dev/token")
@PermitAll
public class DevTokenResource {

    @ConfigProperty(name = "tollgate.dev.signing-key", defaultValue = "src/main/dev/dev-signing-key.pem")
    String signingKeyPath;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String token(@QueryParam("sub") @DefaultValue("dev-user") String subject,
            @QueryParam("admin") @DefaultValue("false") boolean admin) throws IOException, GeneralSecurityException {
        return Jwt.issuer(DevIdentityConfigSourceFactory.ISSUER)
                .audience(DevIdentityConfigSourceFactory.AUDIENCE)
                .subject(subject)
                .groups(admin ? Set.of("user", "admin") : Set.of("user"))
                .expiresIn(Duration.ofHours(12))
                .claim("typ", "Bearer")
                .sign(KeyUtils.decodePrivateKey(Files.readString(Path.of(signingKeyPath))));
    }
}
