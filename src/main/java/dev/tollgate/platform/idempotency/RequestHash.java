package dev.tollgate.platform.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The fingerprint stored beside an idempotency key: SHA-256 of the operation name and the
 * request in canonical JSON (properties sorted), so that a replay with the same body matches and
 * any other body under the same key is a conflict.
 */
public final class RequestHash {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            // Times (a grant's expiry) as exact epoch seconds with nanoseconds: one form per instant.
            .addModule(new JavaTimeModule())
            .build();

    private RequestHash() {
    }

    public static String of(String operation, Object request) {
        try {
            byte[] body = CANONICAL.writeValueAsBytes(request);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(operation.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("request could not be fingerprinted", e);
        }
    }
}
