package dev.tollgate.ratelimit;

import java.io.Serial;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.annotation.Priority;

import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.FallbackConfigSourceInterceptor;
import io.smallrye.config.Priorities;

/**
 * Keeps the keys of the messages tier's former name, {@code chat}, working: a key of the messages
 * tier — {@code tollgate.rate-limit.messages.limit|period}, {@code ….plans.<plan>.messages.*},
 * {@code ….anonymous.messages.*} — falls back to the same key with {@code chat} in its place
 * (and so does its environment variable, e.g. {@code TOLLGATE_RATE_LIMIT_CHAT_LIMIT}). Where both
 * are set, the source that ranks higher wins as usual (an environment variable over
 * {@code application.properties}); in one source, the new key.
 *
 * <p>The names of the properties are listed with the new tier name, so that {@link RateLimitConfig}
 * finds a plan's or the anonymous overrides set under the old name only (an optional group or a map
 * entry exists only if a property under it is listed), and does not report the old keys as unknown.
 *
 * <p>Registered in {@code META-INF/services/io.smallrye.config.ConfigSourceInterceptor}, which
 * Quarkus reads at build time: no classpath scanning or reflection of our own, also in the native
 * image. At the application priority it runs before the profile and expression interceptors, so a
 * profiled old key ({@code %prod.tollgate.rate-limit.chat.limit}) works too.
 */
@Priority(Priorities.APPLICATION)
public class MessagesTierKeyFallback extends FallbackConfigSourceInterceptor {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Property names that may be a key of either name start with this (the dotted name of an environment variable too). */
    private static final String CANDIDATE_PREFIX = "tollgate.rate";

    /** A key of the messages tier: the tier's own, a plan's or the anonymous overrides. */
    private static final Pattern CURRENT = Pattern.compile(
            "(tollgate\\.rate-limit\\.(?:anonymous\\.|plans\\..+\\.)?)messages(\\.(?:limit|period))");

    /**
     * The same key under the former name; {@code rate.limit} is how the lower-cased, dotted name of an
     * environment variable spells it.
     */
    private static final Pattern FORMER = Pattern.compile(
            "tollgate\\.rate[-.]limit\\.((?:anonymous\\.|plans\\..+\\.)?)chat(\\.(?:limit|period))");

    public MessagesTierKeyFallback() {
        super(MessagesTierKeyFallback::formerName);
    }

    /** The key under the former tier name, for a key of the messages tier; any other name as it is. */
    static String formerName(String name) {
        if (!name.startsWith(CANDIDATE_PREFIX)) {
            return name;
        }
        Matcher matcher = CURRENT.matcher(name);
        return matcher.matches() ? matcher.group(1) + "chat" + matcher.group(2) : name;
    }

    /** The key under the messages tier's name, for a key under the former name; any other name as it is. */
    static String currentName(String name) {
        if (!name.startsWith(CANDIDATE_PREFIX)) {
            return name;
        }
        Matcher matcher = FORMER.matcher(name);
        return matcher.matches() ? "tollgate.rate-limit." + matcher.group(1) + "messages" + matcher.group(2) : name;
    }

    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
        Iterator<String> names = context.iterateNames();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return names.hasNext();
            }

            @Override
            public String next() {
                return currentName(names.next());
            }
        };
    }
}
