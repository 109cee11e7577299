package dev.tollgate.tokens;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.knuddels.jtokkit.api.EncodingType;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.CommandLineArguments;

import dev.tollgate.platform.launch.Launch;

/**
 * Loads the tokenizer encodings on a background thread once the serving application has started:
 * a cold start is ready without them (they are not on its path), and the first pre-check or chat
 * call after it finds them loaded instead of waiting about a second. The job command
 * ({@code job <name>}) counts no prompts and never loads them ({@code tollgate.estimation.warm-up}).
 */
@ApplicationScoped
class EncodingWarmUp {

    private static final Logger LOG = Logger.getLogger(EncodingWarmUp.class);

    private final TokenEstimator estimator;
    private final boolean enabled;

    EncodingWarmUp(TokenEstimator estimator, EstimationConfig config) {
        this(estimator, config.warmUp());
    }

    EncodingWarmUp(TokenEstimator estimator, boolean enabled) {
        this.estimator = estimator;
        this.enabled = enabled;
    }

    void started(@Observes StartupEvent started, @CommandLineArguments String[] arguments) {
        begin(arguments);
    }

    /** Starts the loading thread unless switched off or running a job; answers it, or null if none. */
    Thread begin(String[] arguments) {
        if (!enabled || Launch.isJob(arguments)) {
            return null;
        }
        Thread loader = new Thread(this::load, "tokenizer-warm-up");
        loader.setDaemon(true);
        loader.start();
        return loader;
    }

    private void load() {
        long start = System.nanoTime();
        try {
            Set<EncodingType> loaded = estimator.loadEncodings();
            LOG.infof("tokenizer encodings %s loaded in %d ms", loaded, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            // Not fatal: the first count that needs an encoding loads it (and fails there if it cannot).
            LOG.warnf(e, "tokenizer encodings could not be loaded ahead; the first count will load them");
        }
    }
}
