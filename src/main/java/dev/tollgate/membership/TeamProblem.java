package dev.tollgate.membership;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.platform.problem.ProblemType;

/** The refusals of a team change that depend on the caller's role or on the team's state. */
public final class TeamProblem extends ProblemException {

    private final ProblemType type;
    private final TeamRole required;
    private final TeamRole role;

    private TeamProblem(ProblemType type, String detail, TeamRole required, TeamRole role) {
        super(detail);
        this.type = type;
        this.required = required;
        this.role = role;
    }

    public static TeamProblem roleRequired(TeamRole required, TeamRole role, String what) {
        return new TeamProblem(ProblemType.TEAM_ROLE_REQUIRED, what + " takes the " + required.wire()
                + " role in this team.", required, role);
    }

    public static TeamProblem notFound() {
        return new TeamProblem(ProblemType.TEAM_NOT_FOUND, "No team with this id.", null, null);
    }

    public static TeamProblem refused(String detail) {
        return new TeamProblem(ProblemType.TEAM_CHANGE_REFUSED, detail, null, null);
    }

    public static TeamProblem reasonRequired() {
        return new TeamProblem(ProblemType.INVALID_REQUEST,
                "An admin changing a team they do not own gives a reason in the X-Tollgate-Reason header.", null, null);
    }

    @Override
    public Problem problem() {
        Problem problem = Problem.of(type, getMessage());
        if (required != null) {
            problem.with("requiredRole", required.wire()).with("role", role == null ? "none" : role.wire());
        }
        return problem;
    }
}
