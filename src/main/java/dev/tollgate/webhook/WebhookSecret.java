package dev.tollgate.webhook;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * An endpoint's signing secret in the Standard Webhooks format: {@code whsec_} followed by the
 * base64 of 24 to 64 random bytes; those bytes are the HMAC key.
 */
public final class WebhookSecret {

    static final String PREFIX = "whsec_";
    static final int MIN_BYTES = 24;
    static final int MAX_BYTES = 64;
    static final int GENERATED_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSecret() {
    }

    /** A new secret of {@value #GENERATED_BYTES} random bytes. */
    static String generate() {
        byte[] key = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The key of a well-formed secret; empty if it is not one. */
    static Optional<byte[]> key(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
            return key.length >= MIN_BYTES && key.length <= MAX_BYTES ? Optional.of(key) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
