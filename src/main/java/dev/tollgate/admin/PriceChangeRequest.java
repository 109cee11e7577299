package dev.tollgate.admin;

import java.math.BigDecimal;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.tollgate.platform.audit.Reason;

/**
 * A model's new prices, in credits per 1M tokens per usage bucket, exact decimals with at most 6
 * places (the JSON number's text is read into a {@link BigDecimal} as written, never through a
 * double), the instant they take effect from ({@code null}: now plus the price cache TTL), and the
 * reason, which the audit trail keeps.
 */
public record PriceChangeRequest(
        @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax(MAX) @Digits(integer = 7, fraction = 6) BigDecimal inputCreditsPerMillion,
        @NotNull @DecimalMin("0") @DecimalMax(MAX) @Digits(integer = 7, fraction = 6) BigDecimal cachedInputCreditsPerMillion,
        @NotNull @DecimalMin("0") @DecimalMax(MAX) @Digits(integer = 7, fraction = 6) BigDecimal cacheWriteCreditsPerMillion,
        @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax(MAX) @Digits(integer = 7, fraction = 6) BigDecimal outputCreditsPerMillion,
        @DecimalMin("0") @DecimalMax(MAX) @Digits(integer = 7, fraction = 6) BigDecimal reasoningCreditsPerMillion,
        @Size(max = 64) String effectiveFrom,
        @NotBlank @Size(max = Reason.MAX_LENGTH) @Pattern(regexp = Reason.TEXT, message = Reason.TEXT_MESSAGE) String reason) {

    /** The highest price per 1M tokens accepted: 1,000,000 credits, far above any model's. */
    static final String MAX = "1000000";
}
