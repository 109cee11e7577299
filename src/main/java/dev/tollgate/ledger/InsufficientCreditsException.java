package dev.tollgate.ledger;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/** The account cannot cover an amount; nothing was changed. Answered with 402. */
public class InsufficientCreditsException extends ProblemException {

    private final Millicredits required;
    private final Millicredits available;
    private final String plan;
    private final boolean upgradeHint;
    /** The team pool that ran out; null for a user's own account. */
    private final String poolAccountId;

    public InsufficientCreditsException(Millicredits required, Millicredits available, String plan, boolean upgradeHint) {
        this(required, available, plan, upgradeHint, null);
    }

    public InsufficientCreditsException(Millicredits required, Millicredits available, String plan, boolean upgradeHint,
            String poolAccountId) {
        super("insufficient credits: required " + required.value() + ", available " + available.value());
        this.required = required;
        this.available = available;
        this.plan = plan;
        this.upgradeHint = upgradeHint;
        this.poolAccountId = poolAccountId;
    }

    public Millicredits required() {
        return required;
    }

    public Millicredits available() {
        return available;
    }

    @Override
    public Problem problem() {
        Problem problem = Problem.of(ProblemType.INSUFFICIENT_CREDITS,
                "This needs " + required.credits().toPlainString() + " credits; "
                        + available.credits().toPlainString() + " are available.")
                .with("required", required.credits())
                .with("available", available.credits())
                .with("requiredMillicredits", required.value())
                .with("availableMillicredits", available.value())
                .with("plan", plan);
        if (poolAccountId != null) {
            problem.with("account", poolAccountId).with("ranOut", "pool");
        }
        if (upgradeHint) {
            problem.with("upgrade", "Upgrade your plan for a larger monthly allowance, or buy credits.");
        }
        return problem;
    }
}
