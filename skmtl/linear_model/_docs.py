"""Docstring pieces shared by the linear multi-task estimators.

Each estimator's docstring holds ``{parameters}`` and ``{attributes}``
placeholders that :func:`fill_doc` replaces, so the parameters every
estimator has are written once.
"""


def common_parameters(solvers, solver_doc, tol, max_iter):
    """The parameters after the model's own: layout, solver and stopping."""
    return f"""
    fit_intercept : bool, default=True
        Fit one unpenalised intercept per task.

    task_column : int, str or None, default=None
        ``None``: shared design, ``y`` has one column per task. Otherwise the
        column of ``X`` holding each row's task: an int position, or a
        DataFrame column name. Task ids may be numbers or strings.

    unknown_task : {{"error", "shared"}}, default="error"
        What ``predict`` does with a task id not seen in ``fit``: raise a
        ``ValueError``, or predict with the shared part of the model: the
        mean intercept and the mean of the task weights (of
        ``shared_coef_``, for the models with a shared and a specific part).
        Task ids of another type than in ``fit`` (``"3"`` for ``3``) raise a
        ``TypeError`` either way.

    solver : {solvers}, default="auto"
        {solver_doc}

    tol : float, default={tol}
        Stop when the duality gap is at most ``tol`` times the objective.

    max_iter : int, default={max_iter}
        Maximum number of iterations of the iterative solvers.

    warm_start : bool, default=False
        Start the iterative solvers from the previous fit's ``coef_`` and
        ``intercept_`` (when the tasks and features are the same).
"""


FITTED_ATTRIBUTES = """
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights of each task (rows ordered as ``tasks_``; columns are the
        features, without the task column).

    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task (zeros when ``fit_intercept=False``).

    tasks_ : ndarray of shape (n_tasks,)
        Task labels: the sorted task ids (task-indexed layout), or the columns
        of ``y`` (its column names for a DataFrame ``y``, else 0, 1, ...).

    n_features_in_ : int
        Number of columns of ``X`` seen in ``fit``, the task column included.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names of ``X``, when it is a DataFrame with string names. As
        in scikit-learn these are the input columns, the task column
        included.

    coef_feature_names_ : ndarray of shape (n_features,)
        Name of each column of ``coef_``: the input columns without the task
        column, by DataFrame name, else ``"x<i>"`` with ``i`` the column's
        position in ``X``.

    n_iter_ : int
        Number of solver iterations.

    dual_gap_ : float
        Duality gap of the solution: an upper bound on its suboptimality.
"""

CLASSES_ATTRIBUTE = """
    classes_ : ndarray of shape (2,)
        The two class labels for a 1-D ``y``; ``[0, 1]`` for a multi-label ``y``.
"""


def fill_doc(cls, **parts):
    """Replace each ``{name}`` placeholder of ``cls.__doc__`` by ``parts[name]``."""
    for key, text in parts.items():
        cls.__doc__ = cls.__doc__.replace("{" + key + "}", text.strip())
    return cls
