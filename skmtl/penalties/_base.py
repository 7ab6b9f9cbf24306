"""The penalty interface and the capabilities a penalty declares to the solvers."""

from typing import NamedTuple

import numpy as np

from .._docstring import fill

# What a penalty may declare in ``capabilities``, and the methods each one
# promises. The solvers' registry (``skmtl.solvers._dispatch``) matches these
# against what each solver requires; nothing probes for methods.
CAPABILITIES = {
    # smooth: L-BFGS
    "gradient": ("gradient",),
    # proximal operator: FISTA, proximal Newton
    "prox": ("prox",),
    # quadratic: Newton's method and the closed form solve (H + penalty) x = r
    "newton_system": ("solve_newton_system",),
    # ... also given the eigendecomposition of the blocks H
    # (solve_newton_system(H, R, spectrum=(values, vectors))): a closed-form
    # path factorises H once for all its penalties
    "spectral_newton_system": ("solve_newton_system",),
    # the duality gap: the conjugate, finite after scaling by dual_scale
    "conjugate": ("conjugate", "dual_scale"),
    # the duality gap through the penalty's own dual term at the current
    # point: a bound for sums of penalties, or a cheaper exact form
    "dual_term": ("dual_term",),
    # one group per feature: working sets rank and keep features
    "working_sets": ("feature_scores", "restrict"),
    # stays separable by feature when the features are rescaled (FISTA's
    # preconditioning)
    "feature_rescaling": ("rescaled",),
    # a quadratic coupling of the tasks, tr(W' M W) / 2, as a TaskQuadratic
    # (sums of penalties add these up into the smooth part)
    "task_quadratic": ("task_quadratic",),
    # leaves a subspace of W unpenalised (the certificate refits along it)
    "null_space": ("null_space",),
    # a mean and a spread part (L-BFGS preconditions them separately)
    "mean_spread": ("curvatures",),
    # a TaskQuadratic plus a proximable penalty (``quadratic``, ``penalty``):
    # proximal solvers move the quadratic into the smooth part
    "quadratic_plus_prox": ("dual_term",),
    # alpha ||W||_2,1 + l2 / 2 ||W||_F^2: scikit-learn's MultiTaskElasticNet
    # (coordinate descent) on the plain shared design
    "multitask_elastic_net": ("prox",),
    # W = P + Q with one penalty per part (``shared``, ``specific``): the
    # lifted FISTA of the decomposition models
    "decomposition": ("split_value",),
    # a part of a decomposition whose rows are all equal, P = 1 w0', with a
    # ridge on w0: the certificate refits w0 by Newton steps
    "common_rows": ("ridge",),
    # twice differentiable on the support of W, with a Hessian of per-entry
    # curvatures minus one rank-one term per feature (``ActiveCurvature``):
    # FISTA polishes an identified support by Newton steps
    "active_newton": ("active_curvature",),
    # psi(||W||_*) = min over W = L R' of psi((||L||^2 + ||R||^2) / 2):
    # FISTA polishes an identified rank by Newton steps on the factors
    "low_rank_factors": ("factored",),
}


class ActiveCurvature(NamedTuple):
    r"""A penalty's derivatives on the support of ``W`` (``active_newton``).

    On the entries ``mask`` the penalty is twice differentiable, with
    gradient ``gradient`` and Hessian
    :math:`\operatorname{diag}(\text{diagonal}) - \sum_j \text{group}_j
    u_j u_j^\top`, :math:`u_j` column :math:`j` of ``W`` on the support.
    ``orthant`` is True when each entry has a kink at zero (L1 terms), so
    that Newton steps stop entries at zero rather than cross it.
    """

    mask: np.ndarray  # (n_tasks, n_features) bool
    gradient: np.ndarray  # (n_tasks, n_features), zero off the support
    diagonal: np.ndarray  # broadcastable to (n_tasks, n_features)
    group: np.ndarray  # (n_features,), zero for features without a group term
    orthant: bool


def group_curvature(W, alphas):
    r"""Gradient and curvature of :math:`\sum_j \alpha_j \|W_{:, j}\|` on its
    support (columns with a non-zero norm).

    Returns the column norms, the gradient :math:`\alpha_j w_j / \|w_j\|`,
    the per-entry curvature :math:`\alpha_j / \|w_j\|` and the rank-one
    weights :math:`\alpha_j / \|w_j\|^3` (zero off the support).
    """
    norms = np.sqrt(np.einsum("tj,tj->j", W, W))
    alphas = np.broadcast_to(alphas, norms.shape)
    safe = np.where(norms > 0, norms, 1.0)
    diagonal = np.where(norms > 0, alphas / safe, 0.0)
    return norms, W * diagonal, diagonal, np.where(norms > 0, alphas / safe**3, 0.0)


def provides(penalty, capability):
    """Whether ``penalty`` declares ``capability`` (see ``CAPABILITIES``).

    A penalty that is not a :class:`BasePenalty` (a user's object with only
    ``value`` and ``as_cvxpy``) declares nothing: cvxpy solves it.
    """
    return capability in getattr(penalty, "capabilities", ())


def cvxpy_coef(penalty, n_tasks, n_features):
    """cvxpy weight and penalty expressions of any penalty (see
    :meth:`BasePenalty.cvxpy_coef`); a user's penalty with just ``as_cvxpy``
    gets a plain variable."""
    if isinstance(penalty, BasePenalty):
        return penalty.cvxpy_coef(n_tasks, n_features)
    import cvxpy as cp

    W = cp.Variable((n_tasks, n_features))
    return W, penalty.as_cvxpy(W)


class BasePenalty:
    """Interface of a penalty on the task-weight matrix ``W`` (n_tasks, n_features).

    Every penalty provides :meth:`value` and :meth:`as_cvxpy` (so the cvxpy
    reference solver can solve any datafit + penalty exactly) and declares,
    in the class attribute ``capabilities``, what else it can do for the
    solvers: each name of ``skmtl.penalties._base.CAPABILITIES`` promises
    some methods (``"prox"`` a :meth:`prox`, ``"conjugate"`` a
    :meth:`conjugate` and :meth:`dual_scale` for the duality gap,
    ``"gradient"`` a :meth:`gradient` for L-BFGS, ``"newton_system"`` a
    :meth:`solve_newton_system` for Newton's method, ``"working_sets"``
    :meth:`feature_scores` and :meth:`restrict`, ...). A subclass that
    declares a capability without its methods is refused when it is defined.

    A penalty without declared capabilities is solved by cvxpy, without a
    duality-gap certificate.
    """

    capabilities = frozenset()
    # The penalty in math (LaTeX, in terms of its parameters): its docstring
    # shows it at ``{math}`` and the estimators built on it compose their
    # objective from it.
    math = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.math is not None and "{math}" in (cls.__doc__ or ""):
            cls.__doc__ = fill(cls.__doc__, math=cls.math)
        unknown = set(cls.capabilities) - set(CAPABILITIES)
        if unknown:
            raise TypeError(
                f"{cls.__name__} declares unknown capabilities {sorted(unknown)}; "
                f"the known ones are {sorted(CAPABILITIES)}."
            )
        missing = [
            method
            for capability in sorted(cls.capabilities)
            for method in CAPABILITIES[capability]
            if getattr(cls, method, None) is None
        ]
        if missing:
            raise TypeError(
                f"{cls.__name__} declares capabilities it lacks the methods of: "
                f"{missing}."
            )

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
