"""FISTA against proximal Newton for the logistic L2,1 model, cold fits and paths.

Backs two choices in ``skmtl/solvers/_dispatch.py``: ``solver="auto"`` picks
proximal Newton for single fits of the classifiers when the features are
fewer than the rows, and ``solve_path`` (``l21_path``, ``L21ClassifierCV``)
uses FISTA instead along warm-started paths. Data: the MULAN ``emotions``
training set (391 rows, 72 standardised features, 6 labels), read from
``$SKMTL_DATA_HOME/multilabel/emotions``.

Run from the repository root::

    SKMTL_DATA_HOME=/path/to/shared/data python -m benchmarks.bench_logistic_path
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from benchmarks._common import data_home, fmt_time, markdown_table
from skmtl import L21Classifier, l21_alpha_max
from skmtl.datasets import load_mulan
from skmtl.penalties import L21
from skmtl.solvers._dispatch import _warm_path
from skmtl.solvers._fista import fista_path

TOL = 1e-6
N_ALPHAS, EPS = 30, 1e-2


def load_emotions():
    X, Y = load_mulan(
        "emotions", subset="train", data_home=data_home(), return_X_y=True
    )
    return StandardScaler().fit_transform(X), Y.astype(float)


def _timed(fn):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = fn()
    return time.perf_counter() - start, result


def run():
    X, Y = load_emotions()
    data, datafit = L21Classifier()._prepare_fit(X, Y, None)
    alpha_max = l21_alpha_max(X, Y, loss="logistic")
    cold = []
    for fraction in (1 / 3, 1 / 30, 1 / 300):
        row = {"fraction": fraction}
        for solver in ("prox_newton", "fista"):
            model = L21Classifier(alpha_max * fraction, solver=solver, tol=TOL)
            seconds, model = _timed(lambda model=model: model.fit(X, Y))
            row[solver] = (seconds, model.n_iter_)
        cold.append(row)
    penalties = [L21(a) for a in np.geomspace(alpha_max, alpha_max * EPS, N_ALPHAS)]
    options = {"fit_intercept": True, "tol": TOL, "max_iter": 10_000}
    path = {
        "fista": _timed(lambda: list(fista_path(data, datafit, penalties, **options))),
        "prox_newton": _timed(
            lambda: list(_warm_path(data, datafit, penalties, "prox_newton", **options))
        ),
    }
    return {"cold": cold, "path": {k: v[0] for k, v in path.items()}}


def report(results):
    rows = [
        [
            f"alpha_max / {1 / r['fraction']:.0f}",
            f"{fmt_time(r['prox_newton'][0])} ({r['prox_newton'][1]} steps)",
            f"{fmt_time(r['fista'][0])} ({r['fista'][1]} iterations)",
        ]
        for r in results["cold"]
    ]
    path = results["path"]
    return "\n".join(
        [
            "## Logistic L2,1: proximal Newton vs FISTA (emotions)",
            "",
            "MULAN emotions training set (391 x 72, standardised, 6 labels), "
            f"`L21Classifier`, tol={TOL:g}. Single cold fits:",
            "",
            markdown_table(["alpha", "prox_newton", "fista"], rows),
            "",
            f"Warm-started path of {N_ALPHAS} alphas from alpha_max down to "
            f"{EPS:g} alpha_max: FISTA {fmt_time(path['fista'])}, proximal Newton "
            f"{fmt_time(path['prox_newton'])} "
            f"({path['prox_newton'] / path['fista']:.1f}x).",
        ]
    )


def main():
    print(report(run()))


if __name__ == "__main__":
    main()
