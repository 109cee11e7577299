package dev.tollgate.chat;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The metered chat call ({@code POST /v1/chat/completions}). */
@ConfigMapping(prefix = "tollgate.chat")
public interface ChatConfig {

    /**
     * How long one write of a streamed answer may wait for the client to read. Past it the client
     * is treated as gone: its connection is closed, and the call is still read to its end and billed.
     * Default 30s.
     */
    @WithDefault("30s")
    Duration clientWriteTimeout();

    /**
     * Whether a client may ask the provider to store the completion ({@code store: true}, and
     * {@code metadata} with it). Default false: Tollgate keeps no prompts or answers, and sends
     * {@code store: false} upstream.
     */
    @WithDefault("false")
    boolean allowStore();

    /**
     * Key of the HMAC-SHA256 that turns the token's subject into the end-user id sent upstream
     * ({@code user}, {@code safety_identifier}), from the environment only. None: the SHA-256 of the
     * subject.
     */
    Optional<String> endUserIdKey();
}
