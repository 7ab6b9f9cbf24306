"""The generic multi-task linear model, which every named estimator is.

:class:`MultiTaskLinearModel` validates the data (both layouts), runs the
solver, stores the fitted attributes, predicts and scores. A family of named
estimators is a declaration on top of it (see ``_declare``): its parameters,
the penalty it builds from them (``_penalty_for``), its solvers and the math
of its penalty; its regressor and classifier add :class:`Regressor` or
:class:`Classifier`, which fix the datafit.
"""

import inspect
import textwrap
import warnings
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Interval, StrOptions

from .._dask import dask_statistics
from .._docstring import fill
from .._estimator import MultiTaskEstimator
from .._task_data import _format_tasks, row_products
from ..datafits import LogisticLoss, SquaredLoss
from ..penalties import L21
from ..penalties._base import provides
from ..penalties._composite import combine_penalties
from ..penalties._shared import SharedComponent
from ..solvers import solve
from ..solvers._decomposition import split_parts
from ..solvers._dispatch import SOLVERS
from ._dask_newton import fit_logistic
from ._docs import (
    CLASSES_ATTRIBUTE,
    CLASSIFIER_EXAMPLE,
    FITTED_ATTRIBUTES,
    compose,
    parameter_entry,
    solver_entry,
)
from ._statistics import TaskStatistics


def refuse_unpenalised(estimator, *names):
    """Raise a ``ValueError`` when every strength ``names`` of ``estimator`` is 0.

    An unpenalised model has no duality-gap certificate (the conjugate of a
    zero penalty is not finite) and may have no unique solution.
    """
    if any(getattr(estimator, name) != 0 for name in names):
        return
    zeros = [f"{name}=0" for name in names]
    stated = (
        " with ".join([zeros[0], " and ".join(zeros[1:])]) if names[1:] else zeros[0]
    )
    choice = " or ".join([", ".join(names[:-1]), names[-1]]) if names[1:] else names[0]
    raise ValueError(
        f"{stated} leaves the model unpenalised, which has no duality-gap "
        f"certificate and may have no unique solution; give {choice} a positive "
        "value."
    )


class Parameter(NamedTuple):
    """A declared parameter: its default, validation, documented type and text."""

    name: str
    default: object
    constraints: list
    kind: str
    doc: str
    positional: bool = False


REQUIRED = inspect.Parameter.empty

COMMON_PARAMETERS = (
    Parameter(
        "fit_intercept",
        True,
        ["boolean"],
        "bool",
        "Fit one unpenalised intercept per task.",
    ),
    Parameter(
        "task_column",
        None,
        [None, Integral, str],
        "int, str or None",
        """``None``: shared design, ``y`` has one column per task. Otherwise the
        column of ``X`` holding each row's task: an int position, or a
        DataFrame column name. Task ids may be numbers or strings.""",
    ),
    Parameter(
        "unknown_task",
        "error",
        [StrOptions({"error", "shared"})],
        '{"error", "shared"}',
        """What ``predict`` does with a task id not seen in ``fit``: raise a
        ``ValueError``, or predict with the shared part of the model: the
        mean intercept and the mean of the task weights (of
        ``shared_coef_``, for the models with a shared and a specific part).
        Task ids of another type than in ``fit`` (``"3"`` for ``3``) raise a
        ``TypeError`` either way.""",
    ),
    Parameter("solver", "auto", None, None, None),  # from the solver registry
    Parameter(
        "tol",
        1e-6,
        [Interval(Real, 0, None, closed="neither")],
        "float",
        "Stop when the duality gap is at most ``tol`` times the objective.",
    ),
    Parameter(
        "max_iter",
        10_000,
        [Interval(Integral, 1, None, closed="left")],
        "int",
        "Maximum number of iterations of the iterative solvers.",
    ),
    Parameter(
        "warm_start",
        False,
        ["boolean"],
        "bool",
        """Start the iterative solvers from the previous fit's ``coef_`` and
        ``intercept_`` (when the tasks and features are the same).""",
    ),
)

STRENGTH = [Interval(Real, 0, None, closed="left")]  # a penalty strength, >= 0

# The shared component of the families that shrink the tasks toward zero.
SHARED_PARAMETERS = (
    Parameter(
        "shared_component",
        False,
        ["boolean"],
        "bool",
        r"""Write the weights as :math:`W = \mathbf{1} w_0^\top + V`, a weight
        vector :math:`w_0` common to all tasks plus task-specific deviations
        :math:`V`, and apply the penalty to :math:`V` only
        (:class:`~skmtl.penalties.SharedComponent`). The tasks are then
        shrunk toward :math:`w_0` instead of toward zero: at large strength
        the model is the pooled one (one weight vector, an intercept per
        task), at strength zero the independent one, and the structure of
        the penalty (shared support, low rank, ...) is learned on the
        deviations (see ``shared_coef_`` and ``specific_coef_``).""",
    ),
    Parameter(
        "alpha_shared",
        0.0,
        [Interval(Real, 0, None, closed="both")],
        "float",
        r"""Ridge strength :math:`\alpha_0` of the term
        :math:`\frac{\alpha_0}{2} \|w_0\|_2^2` on the common weights, >= 0
        (0: unpenalised). ``inf`` is the limit of large values: no common
        weights (:math:`w_0 = 0`), the model without a shared component.
        Used with ``shared_component=True`` only.""",
    ),
)

SHARED_ATTRIBUTES = """
shared_coef_ : ndarray of shape (n_tasks, n_features)
    With ``shared_component=True``: the common weights :math:`w_0` in every
    row (the weights of the pooled part of the model, also used for
    ``unknown_task="shared"``).

specific_coef_ : ndarray of shape (n_tasks, n_features)
    With ``shared_component=True``: the deviations :math:`V` of each task,
    on which the penalty acts (``coef_ = shared_coef_ + specific_coef_``).
"""
POSITIVE = [Interval(Real, 0, None, closed="neither")]  # a strength, > 0


def strength(name, default, doc, *, positional=False, constraints=STRENGTH):
    """A penalty strength: a float, >= 0 (``constraints=POSITIVE``: > 0)."""
    return Parameter(name, default, constraints, "float", doc, positional)


_DATAFITS = {"squared": SquaredLoss, "logistic": LogisticLoss}


def _fits_statistics(estimator):
    """Whether ``estimator`` offers ``fit_statistics`` and ``partial_fit``:
    the squared loss, whose data enter through per-task statistics only."""
    return estimator._statistics_fit and estimator._loss_name() == "squared"


class MultiTaskLinearModel(MultiTaskEstimator):
    r"""Linear multi-task model for any datafit and any penalty (or sum).

    Minimises, over the task weights :math:`W` (``coef_``) and the
    intercepts :math:`b`,

    .. math::

        F(W, b) + \sum_k \Omega_k(W),

    with :math:`F` the squared loss
    :math:`\frac{1}{2n}\sum_{(i,t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2`
    (``datafit="squared"``: a regressor) or the mean logistic loss over the
    observed targets (``datafit="logistic"``: a classifier), and
    :math:`\Omega_k` the penalties: objects of :mod:`skmtl.penalties`, or
    your own. Every named estimator of :mod:`skmtl.linear_model` is this
    model with its datafit fixed and a penalty built from its parameters. A
    single penalty is solved as by the named estimators. In a sum, the
    task-coupling quadratics (:class:`~skmtl.penalties.TaskQuadratic`,
    :class:`~skmtl.penalties.MeanRegularization` with finite coupling) join
    the smooth part, and one more penalty with a proximal operator (L2,1,
    say) keeps the proximal solvers and their duality-gap certificate; any
    other sum, and any penalty that only has a cvxpy form (``value`` and
    ``as_cvxpy(W)`` methods), is solved by cvxpy, without a certificate
    (``dual_gap_`` is NaN). A penalty of your own reaches the fast solvers
    by subclassing :class:`~skmtl.penalties.BasePenalty` and declaring, in
    its ``capabilities``, what it provides (``"prox"``, ``"conjugate"``,
    ...): the solvers read the declaration, never the methods. A
    :class:`~skmtl.penalties.Decomposition` penalty (``W = P + Q``) also
    sets ``shared_coef_`` and ``specific_coef_``.

    See Also
    --------
    MeanRegularizedRegressor, L21Regressor : Named models of one penalty.

    Examples
    --------
    Mean regularization and joint feature selection together:

    >>> import numpy as np
    >>> from skmtl import MultiTaskLinearModel
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.penalties import L21, MeanRegularization
    >>> X, y = make_multitask_regression(
    ...     n_tasks=5, n_samples=30, n_features=8, n_informative=3, random_state=0
    ... )
    >>> model = MultiTaskLinearModel(
    ...     "squared", [MeanRegularization(0.01, 10.0), L21(0.2)], task_column=0
    ... ).fit(X, y)
    >>> np.flatnonzero(np.any(model.coef_ != 0, axis=0))  # features in use
    array([0, 1, 2])
    """

    # A family declares these (see ``_declare``): its own parameters, the
    # defaults it changes among the common ones, its solvers, the math of
    # its penalty and its extra fitted attributes.
    _parameters = (
        Parameter(
            "datafit",
            "squared",
            [StrOptions(set(_DATAFITS)), SquaredLoss, LogisticLoss],
            '{"squared", "logistic"} or datafit object',
            """The loss: :class:`~skmtl.datafits.SquaredLoss` makes a regressor,
            :class:`~skmtl.datafits.LogisticLoss` a binary (per task) or
            multi-label classifier.""",
            positional=True,
        ),
        Parameter(
            "penalty",
            None,
            ["array-like", object],
            "penalty object or list of penalty objects",
            "The penalty, or penalties to add up.",
            positional=True,
        ),
    )
    _defaults = {}
    _loss = None  # the datafit class, fixed by Regressor / Classifier
    _solvers = tuple(SOLVERS)
    _penalty_math = None
    _variables = (
        r"the task weights :math:`w_t` (rows of ``coef_``, :math:`W`) and the "
        r"intercepts :math:`b_t`"
    )
    _attributes = ""
    _doc_values = {}  # more placeholders of the family's docstring
    _example_args = None  # the arguments of a composed example
    # The family's main strength, which paths and CV estimators vary, and
    # the dual norm that reads from the loss gradient at zero weights the
    # strength at which the weights become zero (a reference scale for the
    # smooth penalties, which never make them zero).
    _path = None
    _zero_norm = staticmethod(L21(1.0).dual_norm)  # the largest column norm

    # Whether the family offers a shared component (``SHARED_PARAMETERS``):
    # those whose penalty shrinks every task toward zero; and the attributes
    # it sets.
    _shares = True
    _shared_attributes = SHARED_ATTRIBUTES
    # Whether a squared-loss model fits from TaskStatistics (not the CV
    # estimators: their folds need the rows).
    _statistics_fit = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _declare(cls)

    @classmethod
    def _declared_parameters(cls):
        """The family's own parameters, the shared component's (if it offers
        one), then the common ones (keyword-only)."""
        common = [
            p._replace(default=cls._defaults.get(p.name, p.default))
            for p in COMMON_PARAMETERS
        ]
        shared = SHARED_PARAMETERS if cls._shares else ()
        return [*cls._parameters, *shared, *common]

    @classmethod
    def _example(cls):
        """The Examples section composed for a classifier (``_example_args``)."""
        if cls._example_args is None:
            return None
        return fill(CLASSIFIER_EXAMPLE, name=cls.__name__, args=cls._example_args)

    @classmethod
    def _doc_template(cls):
        """The family's docstring template and the class's own text."""
        family = next(c for c in cls.__mro__ if "_parameters" in c.__dict__)
        own = cls.__dict__.get("__doc__") if family is not cls else ""
        return family.__doc__, own

    # -- the model: datafit and penalty ----------------------------------------

    def _loss_name(self):
        if self._loss is not None:  # a named estimator: fixed by its class
            return self._loss.name
        if isinstance(self.datafit, str):
            return self.datafit
        return "logistic" if isinstance(self.datafit, LogisticLoss) else "squared"

    def _datafit(self):
        if self._loss is not None:
            return self._loss()
        if isinstance(self.datafit, str):
            return _DATAFITS[self.datafit]()
        return self.datafit

    def _penalty_for(self, data):
        """The penalty of this fit (a family builds it from its parameters)."""
        if self.penalty is None:
            raise ValueError(
                "penalty is None: give a penalty object (see skmtl.penalties) "
                "or a list of them."
            )
        penalties = (
            list(self.penalty)
            if isinstance(self.penalty, list | tuple)
            else [self.penalty]
        )
        for position, penalty in enumerate(penalties):
            if not (hasattr(penalty, "value") and hasattr(penalty, "as_cvxpy")):
                raise TypeError(
                    f"penalty {position} ({type(penalty).__name__}) is not a "
                    "penalty: it needs value(W) and as_cvxpy(W) methods."
                )
        if not penalties:
            raise ValueError("penalty is an empty list: give at least one penalty.")
        return combine_penalties(penalties, data.n_tasks)

    def _model_penalty(self, data):
        """The penalty of this fit: the family's, on the deviations from a
        common part when ``shared_component`` is set."""
        penalty = self._penalty_for(data)
        if self._has_common_weights():
            return SharedComponent(penalty, self.alpha_shared)
        return penalty

    def _has_common_weights(self):
        """Whether the fit has a common part :math:`w_0` (``alpha_shared=inf``
        fixes it at zero: the plain penalty)."""
        return self._shares and self.shared_component and self.alpha_shared < np.inf

    def _drops_common_weights(self):
        """Whether a shared component was asked for with ``alpha_shared=inf``:
        its common weights are zero and the penalty is the plain one."""
        return self._shares and self.shared_component and not self._has_common_weights()

    def _penalised_coef(self):
        """The weights the penalty acts on: ``specific_coef_`` under a shared
        component, else ``coef_``."""
        if self._shares and self.shared_component:
            return self.specific_coef_
        return self.coef_

    # -- validation -------------------------------------------------------

    # -- fit --------------------------------------------------------------

    def _fit(self, data, warm=None):
        """Fit on TaskData; ``warm``: start from the fitted model if it has
        the same tasks and features (default: the ``warm_start`` parameter)."""
        datafit = self._datafit()
        warm = (
            (self.warm_start if warm is None else warm)
            and hasattr(self, "coef_")
            and self.coef_.shape == (data.n_tasks, data.n_features)
            and np.array_equal(self.tasks_, data.tasks)
        )
        result = self._solve(data, datafit, self._model_penalty(data), warm)
        return self._store(result, data.tasks)

    def _store(self, result, tasks):
        """The fitted attributes of a solver's result on ``tasks``."""
        self.coef_ = result.coef
        self.intercept_ = result.intercept
        self.tasks_ = tasks
        self.coef_feature_names_ = self._coef_feature_names()
        self.n_iter_ = result.n_iter
        self.dual_gap_ = result.dual_gap
        self._set_derived_attributes()
        return self

    @available_if(_fits_statistics)
    def fit_statistics(self, statistics):
        """Fit the model on the per-task statistics of rows instead of the rows.

        For the squared loss the model depends on its data through
        :class:`~skmtl.TaskStatistics` only: the statistics of some rows give
        the model ``fit`` gives on those rows (to the solver's tolerance),
        for data of any length read in chunks.

        Parameters
        ----------
        statistics : TaskStatistics
            Built with this estimator's ``task_column``.

        Returns
        -------
        self : object
            The fitted estimator; ``statistics_`` holds ``statistics``, to
            which :meth:`partial_fit` adds.
        """
        self._validate_params()
        if not isinstance(statistics, TaskStatistics):
            raise TypeError(
                "statistics must be a TaskStatistics (TaskStatistics.from_data("
                f"X, y, task_column=...)), got {type(statistics).__name__}."
            )
        if statistics.task_column != self.task_column:
            raise ValueError(
                f"The statistics were built with task_column="
                f"{statistics.task_column!r}, but this estimator has task_column="
                f"{self.task_column!r}; they must be the same."
            )
        self._adopt_columns(statistics)
        self._fit(statistics._task_data())
        self.statistics_, self._owns_statistics = statistics, False
        return self

    @available_if(_fits_statistics)
    def partial_fit(self, X, y, sample_weight=None):
        """Add the statistics of a chunk of rows, then refit from the last model.

        After the last chunk the model is the one ``fit`` gives on all the
        chunks' rows together (to the solver's tolerance), whatever their
        order; memory stays ``O(T p^2)`` (the statistics in ``statistics_``).
        A task may first appear in any chunk; while a task has no observed
        target yet (a shared-design column still empty, or only zero sample
        weights), the statistics are kept and the refit waits, with a
        warning. A call to :meth:`fit` starts over.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_columns)
            Features of the chunk, with the task column if ``task_column`` is
            set; the same columns in every chunk.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets of the chunk, as in :meth:`fit`; on the shared design a
            task may have no target in a chunk.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        self._validate_params()
        previous = getattr(self, "statistics_", None)
        data = self._validate_fit_data(
            X, y, sample_weight, reset=previous is None, chunk=True
        )
        statistics = TaskStatistics._from_task_data(data, self)
        if previous is not None:
            # In place into statistics that partial_fit built (never into a
            # user's, given to fit_statistics).
            if self._owns_statistics:
                previous += statistics
                statistics = previous
            else:
                statistics = previous + statistics
        self.statistics_, self._owns_statistics = statistics, True
        waiting = statistics.weight_sums <= 0
        if np.any(waiting):
            warnings.warn(
                f"Task(s) {_format_tasks(statistics.tasks[waiting])} have no "
                "observed target with positive sample weight in the chunks so "
                "far: the model is refitted once every task has one.",
                UserWarning,
                stacklevel=2,
            )
            return self
        self._fit(statistics._task_data(), warm=True)
        return self

    def __sklearn_is_fitted__(self):
        # ``statistics_`` alone (a partial_fit still waiting for a task's
        # first target) is not a fitted model.
        return hasattr(self, "coef_")

    def _fit_dask(self, X, y, sample_weight):
        """Dask collections: statistics per partition, added on the cluster
        (squared loss: once; logistic loss: once per proximal Newton step)."""
        if _fits_statistics(self):
            statistics = dask_statistics(X, y, sample_weight, self.task_column)
            return self.fit_statistics(statistics)
        if not (self._statistics_fit and self._loss_name() == "logistic"):
            return super()._fit_dask(X, y, sample_weight)
        result, statistics, classes, self._n_passes = fit_logistic(
            self, X, y, sample_weight
        )
        self._adopt_columns(statistics)
        self.classes_ = np.array([0, 1]) if classes is None else classes
        self._set_parts(result, None)
        return self._store(result, statistics.tasks)

    def _adopt_columns(self, statistics):
        """The input attributes of a fit on the rows the statistics summarise."""
        self.n_features_in_ = statistics.n_features_in_
        if statistics.feature_names_in_ is None:
            vars(self).pop("feature_names_in_", None)
        else:
            self.feature_names_in_ = statistics.feature_names_in_
        self._single_target = statistics._columns["single_target"]

    def _prepare_fit(self, X, y, sample_weight):
        """Validated TaskData and the datafit of this estimator."""
        return self._validated_data(X, y, sample_weight), self._datafit()

    def _solve(self, data, datafit, penalty, warm):
        """Run the solver; ``warm``: start from the previous fit (or its parts)."""
        parts = provides(penalty, "decomposition")
        if warm and parts and hasattr(self, "specific_coef_"):
            coef_init = [self.shared_coef_, self.specific_coef_]
            if hasattr(self, "common_coef_"):  # three parts
                shared = self.shared_coef_ - self.common_coef_
                coef_init = [self.common_coef_, shared, self.specific_coef_]
        else:
            coef_init = self.coef_ if warm else None
        result = solve(
            data,
            datafit,
            penalty,
            solver=self.solver,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
            coef_init=coef_init,
            intercept_init=self.intercept_ if warm else None,
        )
        self._set_parts(result, split_parts(result) if parts else None)
        return result

    def _set_parts(self, result, parts):
        """``shared_coef_`` and ``specific_coef_`` (and ``common_coef_``) of a
        result, from its ``parts`` (None: a penalty of one part)."""
        vars(self).pop("common_coef_", None)
        no_common = self._drops_common_weights()
        if parts is not None:
            if len(parts) == 3:  # a shared component of a decomposition
                self.common_coef_ = parts[0]
                parts = (parts[0] + parts[1], parts[2])
            elif no_common:
                self.common_coef_ = np.zeros_like(result.coef)
            self.shared_coef_, self.specific_coef_ = parts
        elif no_common:
            self.shared_coef_ = np.zeros_like(result.coef)
            self.specific_coef_ = result.coef
        else:  # a refit of the generic model with another penalty
            for name in ("shared_coef_", "specific_coef_"):
                vars(self).pop(name, None)

    def _coef_feature_names(self):
        """Names of the columns of ``coef_``: the input columns but the task column.

        The DataFrame's column names, else ``x<i>`` with ``i`` the position
        of the column in ``X`` (scikit-learn's default output names).
        """
        names = self._input_names()
        if self.task_column is None:
            return np.asarray(names, dtype=object)
        if isinstance(self.task_column, str):
            position = list(names).index(self.task_column)
        else:
            position = self.task_column % self.n_features_in_
        return np.delete(np.asarray(names, dtype=object), position)

    def _input_names(self):
        """The names of the columns of ``X`` in ``fit`` (``x<i>`` without a
        DataFrame)."""
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(names, dtype=object)

    def _set_derived_attributes(self):
        """Hook: fitted attributes computed from ``coef_`` (none by default)."""

    def _fold_parameters(self, data):
        """Hook: parameters that a fit on some of ``data``'s rows needs changed.

        Cross-validation folds fit on part of the rows, which may lack some
        tasks; ``data`` holds all of them.
        """
        return {}

    # -- predict and score ------------------------------------------------

    def _scores(self, features, task_ids):
        """``x . w_t + b_t`` of validated features and task ids."""
        if task_ids is None:
            Z = features @ self.coef_.T + self.intercept_
            return Z[:, 0] if self._single_target else Z
        index = self._task_index(task_ids)
        coef, intercept = self.coef_, self.intercept_
        if np.any(index < 0):  # an unseen task: the shared model, as task T
            shared_coef, shared_intercept = self._shared_model()
            coef = np.vstack([coef, shared_coef])
            intercept = np.append(intercept, shared_intercept)
            index = np.where(index < 0, len(self.coef_), index)
        return row_products(features, coef, index) + intercept[index]

    def _shared_model(self):
        """``(coef, intercept)`` for a task unseen in fit: the mean task model.

        The mean of the shared part, for a model with a shared and a specific
        part; the mean task model again under a shared component whose common
        weights ``alpha_shared=inf`` removed (the zero-centred model's).
        """
        # alpha_shared=inf leaves no shared part, unless the penalty has its
        # own (a decomposition's, beside its zero common_coef_).
        nothing_shared = self._drops_common_weights() and "common_coef_" not in vars(
            self
        )
        shared = (
            self.coef_ if nothing_shared else getattr(self, "shared_coef_", self.coef_)
        )
        return shared.mean(axis=0), self.intercept_.mean()


class Regressor:
    """Fixes the squared loss: a family's regressor is ``Regressor`` + family."""

    _loss = SquaredLoss


class Classifier:
    """Fixes the logistic loss: a family's classifier is ``Classifier`` + family."""

    _loss = LogisticLoss


def _declare(cls):
    """Give ``cls`` the ``__init__``, constraints and docstring it declares.

    The parameters come from ``cls._declared_parameters()``; the solver
    options are the family's ``_solvers`` that the registry offers for the
    class's loss.
    """
    loss = cls._loss
    solvers = [
        name
        for name in cls._solvers
        if loss is None or loss.name in SOLVERS[name].losses
    ]
    declared = cls._declared = cls._declared_parameters()
    cls._parameter_constraints = {
        p.name: p.constraints or [StrOptions({"auto", *solvers})] for p in declared
    }
    if "__init__" not in cls.__dict__:
        cls.__init__ = _init_from(declared)
    if cls.__name__.startswith("_"):
        return
    solver_kind, solver_doc = solver_entry(solvers)
    parameters = [
        parameter_entry(p.name, p.kind or solver_kind, p.default, p.doc or solver_doc)
        for p in declared
    ]
    attributes = [
        text
        for text in (
            _classes_attribute(loss),
            inspect.cleandoc(cls._attributes),
            FITTED_ATTRIBUTES,
            inspect.cleandoc(cls._shared_attributes) if cls._shares else "",
        )
        if text
    ]
    template, own = cls._doc_template()
    cls.__doc__ = compose(
        template,
        own,
        parameters=parameters,
        attributes=attributes,
        example=cls._example(),
        model=loss.model if loss else "",
        objective=_objective(cls, loss) if loss else "",
        **cls._doc_values,
    )


def _objective(cls, loss):
    """What the estimator minimises: the datafit's math plus the penalty's."""
    math = f"{loss.math}\n+ {cls._penalty_math},"
    return "\n".join(
        [
            textwrap.fill(f"Minimises, over {cls._variables},", 76),
            "",
            ".. math::",
            "",
            textwrap.indent(math, "    "),
            "",
            textwrap.fill(loss.math_notes, 76),
        ]
    )


def _classes_attribute(loss):
    if loss is SquaredLoss:
        return ""
    if loss is None:  # the generic model
        return CLASSES_ATTRIBUTE.replace("(2,)", "(2,)\n    (logistic loss only)", 1)
    return CLASSES_ATTRIBUTE


def _init_from(declared):
    """An ``__init__`` that stores each declared parameter, as scikit-learn wants.

    Its signature (read by ``get_params``) lists the parameters by name:
    the positional ones first, the rest keyword-only.
    """
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(
                p.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD
                if p.positional
                else inspect.Parameter.KEYWORD_ONLY,
                default=p.default,
            )
            for p in declared
        ]
    )

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


_declare(MultiTaskLinearModel)
