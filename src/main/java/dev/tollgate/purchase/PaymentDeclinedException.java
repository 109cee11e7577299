package dev.tollgate.purchase;

/** Stripe declined an auto top-up's payment (the card): a failure of the top-up, not of Stripe. */
class PaymentDeclinedException extends RuntimeException {

    PaymentDeclinedException(String message) {
        super(message, null, false, false);
    }
}
