package dev.tollgate.membership;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.TypedProblem;

/** The refusals of a team change that depend on the caller's role or on the team's state. */
public final class TeamProblem extends TypedProblem {

    private TeamProblem(ProblemType type, String detail) {
        super(type, detail);
    }

    private TeamProblem(Problem problem) {
        super(problem);
    }

    public static TeamProblem roleRequired(TeamRole required, TeamRole role, String what) {
        return new TeamProblem(Problem.of(ProblemType.TEAM_ROLE_REQUIRED,
                what + " takes the " + required.wire() + " role in this team.")
                .with("requiredRole", required.wire()).with("role", role == null ? "none" : role.wire()));
    }

    public static TeamProblem notFound() {
        return new TeamProblem(ProblemType.TEAM_NOT_FOUND, "No team with this id.");
    }

    public static TeamProblem refused(String detail) {
        return new TeamProblem(ProblemType.TEAM_CHANGE_REFUSED, detail);
    }

    public static TeamProblem reasonRequired() {
        return new TeamProblem(ProblemType.INVALID_REQUEST,
                "An admin changing a team they do not own gives a reason in the X-Tollgate-Reason header.");
    }
}
