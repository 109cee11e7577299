package dev.tollgate.testing;

import java.util.ArrayList;
import java.util.List;

import dev.tollgate.testing.FakeProvider.Billed;
import dev.tollgate.testing.FakeProvider.Directives;

/**
 * The fake provider's bill, apart from its HTTP: the output the fake generates for a request, and
 * what one exchange has cost so far.
 */
final class FakeBilling {

    private FakeBilling() {
    }

    /**
     * What the fake generates for one request.
     *
     * @param pieces the visible output, one token each: words ({@code "w1"}, {@code " w2"}, …)
     * @param leadTokens the tokens generated before the first piece: the reasoning
     * @param reasoningTokens the hidden reasoning tokens generated
     * @param finishReason {@code stop}
     */
    record Output(List<String> pieces, long leadTokens, long reasoningTokens, String finishReason) {

        long completionTokens() {
            return leadTokens + pieces.size();
        }

        String joined() {
            return String.join("", pieces);
        }

        /** Reasoning first (hidden: only counted), then one token per word. */
        static Output of(Directives d) {
            List<String> words = new ArrayList<>(d.words);
            for (int i = 1; i <= d.words; i++) {
                words.add((i == 1 ? "" : " ") + "w" + i);
            }
            return new Output(List.copyOf(words), d.reasoning, d.reasoning, "stop");
        }
    }

    /**
     * What one request has cost so far. It is billed once: when the fake ends it, or when its
     * connection closes first. All its calls come from the event loop of its connection.
     */
    static final class Exchange {
        final String tag;
        final String model;
        final long promptTokens;
        final long cachedTokens;
        final Output output;
        private boolean answered;
        private boolean firstWritten;
        private long writtenTokens;
        private boolean billed;

        Exchange(String tag, String model, long promptTokens, long cachedTokens, Output output) {
            this.tag = tag;
            this.model = model;
            this.promptTokens = promptTokens;
            this.cachedTokens = cachedTokens;
            this.output = output;
        }

        /** The fake began a 200 answer: the prompt is billed from here on. */
        synchronized void answered() {
            answered = true;
        }

        /** A stream event carrying this many generated tokens has been written. */
        synchronized void wrote(long tokens) {
            firstWritten = true;
            writtenTokens += tokens;
        }

        /** The whole answer was delivered; null if already billed. */
        synchronized Billed complete(boolean reported) {
            return once(new Billed(tag, model, promptTokens, cachedTokens, output.completionTokens(),
                    output.reasoningTokens(), reported, false));
        }

        /**
         * The connection closed before the fake ended the answer: what was written is billed (the
         * reasoning came before the first event), or nothing if no answer had begun; null if
         * already billed.
         */
        synchronized Billed interrupted(boolean byClient) {
            if (!answered) {
                return once(new Billed(tag, model, 0, 0, 0, 0, false, byClient));
            }
            return once(new Billed(tag, model, promptTokens, cachedTokens, writtenTokens,
                    firstWritten ? output.reasoningTokens() : 0, false, byClient));
        }

        /** Answered with an error status: nothing billed; null if already billed. */
        synchronized Billed refused() {
            return once(new Billed(tag, model, 0, 0, 0, 0, false, false));
        }

        private Billed once(Billed bill) {
            if (billed) {
                return null;
            }
            billed = true;
            return bill;
        }
    }
}
