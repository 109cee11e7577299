package dev.tollgate.ledger;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.platform.problem.ProblemType;

/** A member of a team pool would pass their monthly cap; nothing was changed. Answered with 402. */
public class MemberCapReachedException extends ProblemException {

    private final String accountId;
    private final long cap;
    private final long spent;
    private final long held;
    private final long required;

    public MemberCapReachedException(String accountId, long cap, long spent, long held, long required) {
        super("member cap reached: cap " + cap + ", spent " + spent + ", held " + held + ", required " + required);
        this.accountId = accountId;
        this.cap = cap;
        this.spent = spent;
        this.held = held;
        this.required = required;
    }

    @Override
    public Problem problem() {
        long left = Math.max(0, cap - spent - held);
        return Problem.of(ProblemType.MEMBER_CAP_REACHED, "This needs " + Millicredits.of(required).credits().toPlainString()
                + " credits; " + Millicredits.of(left).credits().toPlainString() + " of your "
                + Millicredits.of(cap).credits().toPlainString() + "-credit cap on the team's pool are left.")
                .with("account", accountId)
                .with("ranOut", "member-cap")
                .with("capMillicredits", cap)
                .with("spentMillicredits", spent)
                .with("heldMillicredits", held)
                .with("requiredMillicredits", required);
    }
}
