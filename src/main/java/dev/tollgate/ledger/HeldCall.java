package dev.tollgate.ledger;

/**
 * The call a hold is for, as it was sent: its counted prompt, its output budget and the labels its
 * caller gave it. {@code chargedAtExpiry}: Tollgate makes the call itself (the chat call), so a hold
 * still unresolved at its expiry belongs to a call the app stopped in before its settle; the call's
 * outcome at the provider is then unknown, and the expiry charges the hold instead of freeing it.
 */
public record HeldCall(long promptTokens, long maxOutputTokens, String characterId, String conversationId,
        boolean chargedAtExpiry) {

    public HeldCall {
        if (promptTokens < 0 || maxOutputTokens < 1) {
            throw new IllegalArgumentException("a held call has a prompt of 0 tokens or more and an output budget of 1 or more");
        }
    }
}
