package dev.tollgate.precheck;

import java.math.BigDecimal;

/** The estimate of a message, with the 20% buffer included, and what the caller has available. */
public record PreCheckResponse(String model, long estimatedInputTokens, int maxOutputTokens,
        long estimatedMillicredits, BigDecimal estimatedCredits, long availableMillicredits,
        BigDecimal availableCredits) {
}
