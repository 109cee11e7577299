package dev.tollgate.tokens;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Counts the tokens of a prompt before the call. For now one rule for every model: characters
 * (Unicode code points) divided by the configured characters per token, rounded up, plus a few
 * tokens of overhead per message.
 */
@ApplicationScoped
public class TokenEstimator {

    /** Tokens a chat format adds around each message (role markers). */
    static final int TOKENS_PER_MESSAGE = 4;

    private int charsPerToken;

    @Inject
    public TokenEstimator(EstimationConfig config) {
        this(config.charsPerToken());
    }

    TokenEstimator(int charsPerToken) {
        if (charsPerToken < 1) {
            throw new IllegalArgumentException("chars per token must be at least 1");
        }
        this.charsPerToken = charsPerToken;
    }

    public long promptTokens(List<String> messages) {
        long tokens = 0;
        for (String message : messages) {
            tokens = Math.addExact(tokens, textTokens(message) + TOKENS_PER_MESSAGE);
        }
        return tokens;
    }

    public long textTokens(String text) {
        long chars = text == null ? 0 : text.codePointCount(0, text.length());
        return (chars + charsPerToken - 1) / charsPerToken;
    }
}
