class BasePenalty:
    """Interface of a penalty on the task-weight matrix ``W`` (n_tasks, n_features).

    Every penalty provides :meth:`value` and :meth:`as_cvxpy` (so the cvxpy
    reference solver can solve any datafit + penalty exactly). Smooth
    penalties add :meth:`gradient`; penalties used in duality-gap
    certificates add :meth:`conjugate` and, when that conjugate is an
    indicator, :meth:`dual_scale`; quadratic penalties add
    :meth:`solve_newton_system` for the Newton and closed-form solvers;
    non-smooth ones add :meth:`prox` for proximal gradient, and those that
    act column by column (one group per feature) :meth:`feature_scores` for
    working sets.
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

    def dual_scale(self, V):
        """Largest ``s`` in (0, 1] such that ``conjugate(s * V)`` is finite.

        1 for penalties whose conjugate is finite everywhere; norm penalties
        return ``min(1, alpha / dual_norm(V))`` (see ``duality_gap``).
        """
        return 1.0

    def project(self, W):
        """Orthogonal projection onto the linear subspace where the penalty is finite.

        The identity for penalties that are finite everywhere. Solvers use it
        to start from a feasible point and to project gradients.
        """
        return W
