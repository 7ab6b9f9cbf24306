class BasePenalty:
    """Interface of a penalty on the task-weight matrix ``W`` (n_tasks, n_features).

    Every penalty provides :meth:`value` and :meth:`as_cvxpy` (so the cvxpy
    reference solver can solve any datafit + penalty exactly). Smooth
    penalties add :meth:`gradient`; penalties used in duality-gap
    certificates add :meth:`conjugate`; quadratic penalties add
    :meth:`solve_newton_system` for the Newton and closed-form solvers.
    """

    def value(self, W):
        raise NotImplementedError

    def as_cvxpy(self, W):
        """The penalty of the cvxpy ``(n_tasks, n_features)`` expression ``W``."""
        raise NotImplementedError

    def cvxpy_coef(self, n_tasks, n_features):
        """cvxpy weight expression and penalty expression for the reference solve.

        Penalties that restrict ``W`` to a subspace or write it as a sum of
        parts override this to build ``W`` from their own variables.
        """
        import cvxpy as cp

        W = cp.Variable((n_tasks, n_features))
        return W, self.as_cvxpy(W)

    def project(self, W):
        """Orthogonal projection onto the linear subspace where the penalty is finite.

        The identity for penalties that are finite everywhere. Solvers use it
        to start from a feasible point and to project gradients.
        """
        return W
