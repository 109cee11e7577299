package dev.tollgate.tokens;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tollgate.platform.launch.ServingStartup;

/**
 * Counts the image parts of a prompt as the most tokens the provider can bill for them, by the rule
 * ({@link TileRule} or {@link PatchRule}) of the longest model-name prefix in
 * {@code tollgate.estimation.images} that the model's name starts with, names compared as
 * {@link TokenEstimator#modelKey} makes them. An image whose size is unknown (given by URL, or not a
 * readable PNG, GIF, WebP or JPEG) is counted at the most its rule allows. The configuration is
 * checked at start-up of the HTTP function (the job command counts no prompt).
 */
@ApplicationScoped
public class ImageTokens implements ServingStartup {

    private static final Logger LOG = Logger.getLogger(ImageTokens.class);

    /** A rule, for model names that start with the prefix. */
    private record PrefixRule(String prefix, ImageRule rule) {
    }

    /** Longest prefix first, so that the first match is the longest. */
    private final List<PrefixRule> rules;

    @Inject
    public ImageTokens(ImageTokensConfig config) {
        this(config.models().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, model -> ImageRule.of(model.getKey(), model.getValue()))));
        LOG.infof("image token rules for %d model prefixes", rules.size());
    }

    /** @param rules the rules by model-name prefix */
    ImageTokens(Map<String, ImageRule> rules) {
        Objects.requireNonNull(rules, "rules");
        this.rules = rules.entrySet().stream()
                .map(rule -> new PrefixRule(prefixKey(rule.getKey()), Objects.requireNonNull(rule.getValue(), rule.getKey())))
                .sorted(Comparator.comparingInt((PrefixRule rule) -> rule.prefix().length()).reversed()
                        .thenComparing(PrefixRule::prefix))
                .toList();
        for (int i = 1; i < this.rules.size(); i++) {
            if (this.rules.get(i).prefix().equals(this.rules.get(i - 1).prefix())) {
                throw new IllegalArgumentException("tollgate.estimation.images.\"" + this.rules.get(i).prefix()
                        + "\" is configured twice");
            }
        }
    }

    /**
     * The most tokens the model's provider bills for the image.
     *
     * @return empty if no rule covers the model: its images cannot be counted, so the request is to
     *         be refused (422 {@code unsupported-content})
     */
    public OptionalLong tokens(String model, ImagePart image) {
        Objects.requireNonNull(image, "image");
        Optional<ImageRule> rule = ruleFor(model);
        return rule.isPresent() ? OptionalLong.of(rule.get().tokens(image.detail(), image.size())) : OptionalLong.empty();
    }

    /** The rule of the longest prefix of the model's name, if any. */
    Optional<ImageRule> ruleFor(String model) {
        String key = TokenEstimator.modelKey(model);
        for (PrefixRule rule : rules) {
            if (key.startsWith(rule.prefix())) {
                return Optional.of(rule.rule());
            }
        }
        return Optional.empty();
    }

    private static String prefixKey(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("an image rule needs a model-name prefix");
        }
        return prefix.strip().toLowerCase(Locale.ROOT);
    }
}
