"""Classifier chains on four MULAN data sets: BR, CC, ECC and PCC.

Data: the official MULAN train/test splits of emotions (391 / 202 rows, 72
features, 6 labels), scene (1211 / 1196, 294, 6), yeast (1500 / 917, 103, 14)
and flags (129 / 65, 43 once its 4 nominal attributes are one-hot encoded by
``skmtl.datasets.load_mulan``, 7), read from ``$SKMTL_DATA_HOME/multilabel``.
The features are standardised by a ``StandardScaler`` fit on the training
rows and applied to both parts (outside the timed calls). The label columns
are put in the order the ARFF files declare them (see below).

Models, every link a ``LogisticRegression(C=1.0, max_iter=1000)`` (the
scikit-learn defaults otherwise: lbfgs, tol=1e-4; every fit converges well
within the default 100 iterations too, with the same predictions):

- BR: binary relevance, ``sklearn.multioutput.MultiOutputClassifier``;
- CC: skmtl ``ClassifierChain`` in label order (``order=None``);
- scikit-learn's ``ClassifierChain`` configured the same way, a check: its
  predictions must equal skmtl's CC (the script fails otherwise);
- ECC: skmtl ``EnsembleClassifierChain(n_chains=10, order="random",
  random_state=0)`` (all rows per chain, threshold 0.5);
- the issue's ECC: scikit-learn's yeast example, 10 scikit-learn
  ``ClassifierChain(order="random", random_state=i)``, i = 0..9, their
  ``predict_proba`` averaged and thresholded at 0.5;
- PCC: skmtl ``ProbabilisticClassifierChain`` in label order,
  ``inference="auto"`` (exhaustive for 6-7 labels, beam search of width 10
  for yeast's 14), with ``loss="subset"`` (the joint mode), ``"hamming"``
  (thresholded marginals) and ``"f1"`` (GFM); one fit, ``loss`` changed with
  ``set_params`` before each prediction.

Metrics on the test rows: Hamming loss, subset accuracy, Jaccard and F1
averaged over samples (``jaccard_score``/``f1_score(average="samples")``;
no test row of these sets has an empty label set, so ``zero_division`` plays
no part) and F1 micro. Times: median of 3 timed calls after one untimed
warm-up (``benchmarks._common.time_calls``) of ``fit`` and of ``predict``.
On yeast, the fitted PCC predicts with ``inference="beam"`` and with
``inference="greedy"`` (``set_params``, no refit): median of 11 calls each,
and their ratio.

Reproducing the issue's reference numbers (scikit-learn 1.9.1): BR, CC and
the issue's ECC reproduce them to the 3 decimals given, on every set, with
the scaler fit on the training rows only and LogisticRegression's defaults
(``max_iter`` 100 or 1000 alike), with the labels in the order of the ARFF
files (``load_mulan``'s order; for yeast, the order of ``yeast.xml`` --
Class1, Class2, Class3, Class6, ... -- gives 0.205 / 0.491 instead of 0.196 /
0.486). The reference ECC numbers are the ensemble of scikit-learn's example;
skmtl's ECC draws its orders from its own seeds and differs slightly.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=/path/to/shared/data \\
        python -m benchmarks.bench_chains
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, hamming_loss, jaccard_score
from sklearn.multioutput import ClassifierChain as SklearnClassifierChain
from sklearn.multioutput import MultiOutputClassifier
from sklearn.preprocessing import StandardScaler

from benchmarks._common import data_home, fmt_time, markdown_table, time_calls
from skmtl.datasets import load_mulan
from skmtl.multilabel import (
    ClassifierChain,
    EnsembleClassifierChain,
    ProbabilisticClassifierChain,
)

DATASETS = ("emotions", "scene", "yeast", "flags")
MAX_ITER = 1000
N_CHAINS = 10
REPEAT = 3
RATIO_REPEAT = 11
BEAM_DATASET = "yeast"
BEAM_GOAL = 10.0  # beam prediction within this many times greedy prediction

# The numbers (scikit-learn 1.9.1): subset accuracy, Jaccard (samples).
REFERENCE = {
    "emotions": {"BR": (0.198, 0.494), "CC": (0.213, 0.485), "ECC": (0.238, 0.526)},
    "scene": {"BR": (0.444, 0.551), "CC": (0.534, 0.612), "ECC": (0.516, 0.599)},
    "yeast": {"BR": (0.152, 0.494), "CC": (0.196, 0.486), "ECC": (0.200, 0.509)},
    "flags": {"BR": (0.092, 0.525), "CC": (0.138, 0.528), "ECC": (0.108, 0.543)},
}

# key, label in the report, key of the reference numbers it is compared with.
MODELS = (
    ("BR", "BR (`MultiOutputClassifier`)", "BR"),
    ("CC", "CC (skmtl `ClassifierChain`)", "CC"),
    ("sklearn_CC", "scikit-learn `ClassifierChain` (check)", "CC"),
    ("ECC", f"ECC (skmtl, {N_CHAINS} chains)", "ECC"),
    ("sklearn_ECC", f"issue's ECC ({N_CHAINS} scikit-learn chains)", "ECC"),
    ("PCC_subset", 'PCC `loss="subset"`', None),
    ("PCC_hamming", 'PCC `loss="hamming"`', None),
    ("PCC_f1", 'PCC `loss="f1"`', None),
)
PCC_LOSSES = ("subset", "hamming", "f1")
METRICS = ("hamming", "subset", "jaccard", "f1_micro", "f1_samples")


def link():
    return LogisticRegression(max_iter=MAX_ITER)


class RandomOrderChains:
    """scikit-learn's yeast example: chains on random orders, mean probability.

    ``ClassifierChain(order="random", random_state=i)`` for i = 0..n_chains-1,
    all on every row; ``predict`` is their mean ``predict_proba`` >= 0.5.
    """

    def __init__(self, estimator, n_chains=N_CHAINS):
        self.estimator = estimator
        self.n_chains = n_chains

    def fit(self, X, Y):
        self.chains_ = [
            SklearnClassifierChain(
                clone(self.estimator), order="random", random_state=i
            ).fit(X, Y)
            for i in range(self.n_chains)
        ]
        return self

    def predict(self, X):
        proba = np.mean([chain.predict_proba(X) for chain in self.chains_], axis=0)
        return (proba >= 0.5).astype(int)


FACTORIES = {
    "BR": lambda: MultiOutputClassifier(link()),
    "CC": lambda: ClassifierChain(link()),
    "sklearn_CC": lambda: SklearnClassifierChain(link()),
    "ECC": lambda: EnsembleClassifierChain(
        link(), n_chains=N_CHAINS, order="random", random_state=0
    ),
    "sklearn_ECC": lambda: RandomOrderChains(link()),
    "PCC": lambda: ProbabilisticClassifierChain(link(), loss="subset"),
}


# -- data -------------------------------------------------------------------


def load(name):
    """Standardised train/test features and labels (in the ARFF's order)."""
    train = load_mulan(name, subset="train", data_home=data_home())
    test = load_mulan(name, subset="test", data_home=data_home())
    scaler = StandardScaler().fit(train.data)
    return {
        "X_train": scaler.transform(train.data),
        "Y_train": train.target,
        "X_test": scaler.transform(test.data),
        "Y_test": test.target,
        "labels": list(train.target_names),
    }


# -- measurements -------------------------------------------------------------


def scores(Y_true, Y_pred):
    return {
        "hamming": float(hamming_loss(Y_true, Y_pred)),
        "subset": float(accuracy_score(Y_true, Y_pred)),
        "jaccard": float(jaccard_score(Y_true, Y_pred, average="samples")),
        "f1_micro": float(f1_score(Y_true, Y_pred, average="micro")),
        "f1_samples": float(f1_score(Y_true, Y_pred, average="samples")),
    }


def timed_fit(make, X, Y):
    """Median-of-REPEAT fit time, the fitted model, ConvergenceWarnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        times, model = time_calls(lambda: make().fit(X, Y), REPEAT)
    n_convergence = 0
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            n_convergence += 1
        else:  # not ours to swallow
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return times, model, n_convergence


def timed_predict(model, X, repeat=REPEAT):
    times, Y_pred = time_calls(lambda: model.predict(X), repeat)
    return times, np.asarray(Y_pred)


def _entry(fit_times, predict_times, Y_test, Y_pred, n_convergence):
    return {
        "fit_seconds": None if fit_times is None else float(np.median(fit_times)),
        "fit_times": fit_times,
        "predict_seconds": float(np.median(predict_times)),
        "predict_times": predict_times,
        "convergence_warnings": n_convergence,
        **scores(Y_test, Y_pred),
    }


def run_dataset(name, verbose=True):
    data = load(name)
    Xtr, Ytr, Xte, Yte = (data[k] for k in ("X_train", "Y_train", "X_test", "Y_test"))
    n_labels = Ytr.shape[1]
    out = {
        "name": name,
        "n_train": int(Xtr.shape[0]),
        "n_test": int(Xte.shape[0]),
        "n_features": int(Xtr.shape[1]),
        "n_labels": int(n_labels),
        "labels": data["labels"],
        "models": {},
    }
    predictions = {}
    for key in ("BR", "CC", "sklearn_CC", "ECC", "sklearn_ECC"):
        fit_times, model, n_conv = timed_fit(FACTORIES[key], Xtr, Ytr)
        predict_times, Y_pred = timed_predict(model, Xte)
        predictions[key] = (model, Y_pred)
        out["models"][key] = _entry(fit_times, predict_times, Yte, Y_pred, n_conv)
        if verbose:
            _progress(name, key, out["models"][key])
    # PCC: one fit, one prediction per loss.
    fit_times, pcc, n_conv = timed_fit(FACTORIES["PCC"], Xtr, Ytr)
    out["pcc_inference"] = pcc.inference_
    for loss in PCC_LOSSES:
        predict_times, Y_pred = timed_predict(pcc.set_params(loss=loss), Xte)
        key = f"PCC_{loss}"
        out["models"][key] = _entry(
            fit_times if loss == "subset" else None,
            predict_times,
            Yte,
            Y_pred,
            n_conv if loss == "subset" else 0,
        )
        if verbose:
            _progress(name, key, out["models"][key])
    pcc.set_params(loss="subset")
    # Checks: scikit-learn's chain against skmtl's; PCC greedy against CC.
    cc, cc_pred = predictions["CC"]
    sk_cc, sk_pred = predictions["sklearn_CC"]
    out["cc_identical"] = bool(np.array_equal(cc_pred, sk_pred))
    out["cc_proba_max_diff"] = float(
        np.max(np.abs(cc.predict_proba(Xte) - sk_cc.predict_proba(Xte)))
    )
    greedy_pred = pcc.set_params(inference="greedy").predict(Xte)
    out["pcc_greedy_equals_cc"] = bool(np.array_equal(greedy_pred, cc_pred))
    if name == BEAM_DATASET:
        beam_times, _ = timed_predict(
            pcc.set_params(inference="beam"), Xte, RATIO_REPEAT
        )
        greedy_times, _ = timed_predict(
            pcc.set_params(inference="greedy"), Xte, RATIO_REPEAT
        )
        beam, greedy = float(np.median(beam_times)), float(np.median(greedy_times))
        out["beam_vs_greedy"] = {
            "beam_width": int(pcc.beam_width),
            "beam_seconds": beam,
            "beam_times": beam_times,
            "greedy_seconds": greedy,
            "greedy_times": greedy_times,
            "ratio": beam / greedy,
        }
        if verbose:
            print(
                f"  beam {fmt_time(beam)} / greedy {fmt_time(greedy)} = "
                f"{beam / greedy:.1f}x",
                flush=True,
            )
    pcc.set_params(inference="auto")
    return out


def _progress(name, key, entry):
    fit = (
        ""
        if entry["fit_seconds"] is None
        else f"fit {fmt_time(entry['fit_seconds'])}, "
    )
    print(
        f"  {name:8s} {key:12s} subset {entry['subset']:.3f} jaccard "
        f"{entry['jaccard']:.3f} ({fit}predict {fmt_time(entry['predict_seconds'])})",
        flush=True,
    )


def run(datasets=None, verbose=True):
    """Run the benchmark; returns plain (JSON-serialisable) results."""
    start = time.perf_counter()
    rows = [
        run_dataset(name, verbose)
        for name in DATASETS
        if datasets is None or name in datasets
    ]
    return {"datasets": rows, "seconds": time.perf_counter() - start}


# -- report -------------------------------------------------------------------


def _met(flag):
    return "**met**" if flag else "**not met**"


def _yes(flag):
    return "yes" if flag else "no"


def _reference(name, ref_key):
    if ref_key is None:
        return "—"
    subset, jaccard = REFERENCE[name][ref_key]
    return f"{subset:.3f} / {jaccard:.3f}"


def reproduces(name, entry, ref_key):
    """Subset accuracy and Jaccard equal the reference to its 3 decimals."""
    subset, jaccard = REFERENCE[name][ref_key]
    return round(entry["subset"], 3) == subset and round(entry["jaccard"], 3) == jaccard


def _best_baseline(row):
    return max(
        ((row["models"][k]["subset"], k) for k in ("BR", "CC", "ECC")),
        key=lambda pair: pair[0],
    )


def report(results):
    rows = results["datasets"]
    n_convergence = sum(
        m["convergence_warnings"] for row in rows for m in row["models"].values()
    )
    out = [
        "## Classifier chains on MULAN: binary relevance, CC, ECC and PCC",
        "",
        "Official MULAN train/test splits (`skmtl.datasets.load_mulan`; flags' "
        "nominal attributes one-hot encoded by the loader), features "
        "standardised by a `StandardScaler` fit on the training rows, label "
        "columns in the order of the ARFF files (as `load_mulan` returns them). "
        "Every link is `LogisticRegression(C=1.0, "
        f"max_iter={MAX_ITER})`. BR: `MultiOutputClassifier`; CC: skmtl "
        "`ClassifierChain` in label order, and scikit-learn's `ClassifierChain` "
        "the same way as a check; ECC: skmtl `EnsembleClassifierChain("
        f'n_chains={N_CHAINS}, order="random", random_state=0)` (threshold 0.5); '
        f"issue's ECC: scikit-learn's yeast example, {N_CHAINS} scikit-learn "
        '`ClassifierChain(order="random", random_state=i)`, mean `predict_proba` '
        '>= 0.5; PCC: skmtl `ProbabilisticClassifierChain(inference="auto")` in '
        "label order (exhaustive up to 10 labels, beam search of width 10 for "
        'yeast), one fit predicting with `loss="subset"` (joint mode), '
        '`"hamming"` (thresholded marginals) and `"f1"` (GFM). Test-set '
        "metrics: Hamming loss (lower is better), subset accuracy, Jaccard and "
        'F1 averaged over samples (`average="samples"`; no test row has an '
        "empty label set), F1 micro. Times: median of 3 timed calls after one "
        "untimed warm-up, of `fit` and of `predict` (scaling not timed). "
        "*Reference*: the issue's subset accuracy / Jaccard (scikit-learn "
        f"1.9.1). ConvergenceWarnings raised by the links: {n_convergence}. "
        f"Wall time of this benchmark: {results['seconds']:.0f} s.",
    ]
    for row in rows:
        out += [
            "",
            f"### {row['name']} ({row['n_train']} train / {row['n_test']} test rows, "
            f"{row['n_features']} features, {row['n_labels']} labels; PCC "
            f"inference: {row['pcc_inference']})",
            "",
        ]
        table = []
        for key, label, ref_key in MODELS:
            m = row["models"][key]
            table.append(
                [
                    label,
                    f"{m['hamming']:.4f}",
                    f"{m['subset']:.3f}",
                    f"{m['jaccard']:.3f}",
                    f"{m['f1_micro']:.3f}",
                    f"{m['f1_samples']:.3f}",
                    "same fit"
                    if m["fit_seconds"] is None
                    else fmt_time(m["fit_seconds"]),
                    fmt_time(m["predict_seconds"]),
                    _reference(row["name"], ref_key),
                ]
            )
        out.append(
            markdown_table(
                [
                    "model",
                    "Hamming loss",
                    "subset acc.",
                    "Jaccard",
                    "F1 micro",
                    "F1 samples",
                    "fit",
                    "predict",
                    "reference",
                ],
                table,
            )
        )
    # Reproduction and checks.
    out += [
        "",
        "### Reference numbers and checks",
        "",
        "*Reproduced*: subset accuracy and Jaccard equal the issue's to the 3 "
        "decimals given. *skmtl CC = scikit-learn CC*: identical test "
        "predictions (the largest difference of their `predict_proba` in "
        "brackets). *PCC greedy = CC*: the fitted PCC with "
        '`inference="greedy"` predicts as the CC.',
        "",
    ]
    checks = []
    for row in rows:
        name, models = row["name"], row["models"]
        checks.append(
            [
                name,
                _yes(reproduces(name, models["BR"], "BR")),
                _yes(reproduces(name, models["CC"], "CC")),
                _yes(reproduces(name, models["sklearn_ECC"], "ECC")),
                _yes(reproduces(name, models["ECC"], "ECC")),
                f"identical: {_yes(row['cc_identical'])} "
                f"({row['cc_proba_max_diff']:.1e})",
                _yes(row["pcc_greedy_equals_cc"]),
            ]
        )
    out.append(
        markdown_table(
            [
                "data set",
                "BR reproduced",
                "CC reproduced",
                "issue's ECC reproduced",
                "skmtl ECC = reference",
                "skmtl CC = scikit-learn CC",
                "PCC greedy = CC",
            ],
            checks,
        )
    )
    beam = next((r["beam_vs_greedy"] for r in rows if "beam_vs_greedy" in r), None)
    if beam is not None:
        out += [
            "",
            f"PCC prediction on {BEAM_DATASET}'s test rows, the same fitted "
            f"model: beam search (width {beam['beam_width']}) "
            f"{fmt_time(beam['beam_seconds'])}, greedy "
            f"{fmt_time(beam['greedy_seconds'])} (medians of {RATIO_REPEAT} "
            f"calls): **{beam['ratio']:.1f}x**.",
        ]
    # Goals.
    pcc_text, pcc_ok = [], bool(rows)
    ecc_text, ecc_ok = [], bool(rows)
    for row in rows:
        models = row["models"]
        best, best_key = _best_baseline(row)
        pcc = models["PCC_subset"]["subset"]
        pcc_ok &= pcc > best
        pcc_text.append(f"{row['name']} {pcc:.3f} vs {best:.3f} ({best_key})")
        ecc, br = models["ECC"]["jaccard"], models["BR"]["jaccard"]
        ecc_ok &= ecc > br
        ecc_text.append(f"{row['name']} {ecc:.3f} vs {br:.3f}")
    goals = [
        [
            'PCC (`loss="subset"`) subset accuracy above the best of BR, CC and '
            "ECC on every set",
            "; ".join(pcc_text),
            _met(pcc_ok),
        ],
        [
            "ECC Jaccard above BR on every set",
            "; ".join(ecc_text),
            _met(ecc_ok),
        ],
    ]
    if beam is not None:
        goals.append(
            [
                f"beam inference on {BEAM_DATASET} within {BEAM_GOAL:g}x the time "
                "of greedy prediction",
                f"{beam['ratio']:.1f}x",
                _met(beam["ratio"] <= BEAM_GOAL),
            ]
        )
    else:
        goals.append(
            [
                f"beam inference on {BEAM_DATASET} within {BEAM_GOAL:g}x greedy",
                f"not measured ({BEAM_DATASET} not run)",
                _met(False),
            ]
        )
    out += ["", "Goals:", "", markdown_table(["goal", "measured", "status"], goals)]
    return "\n".join(out)


def check_identical(results):
    """Fail when scikit-learn's chain and skmtl's predict differently."""
    differ = [r["name"] for r in results["datasets"] if not r["cc_identical"]]
    if differ:
        raise AssertionError(
            "skmtl ClassifierChain and scikit-learn's ClassifierChain predict "
            f"differently on: {', '.join(differ)}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="*", choices=DATASETS)
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args()
    results = run(args.datasets)
    print()
    print(report(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    check_identical(results)


if __name__ == "__main__":
    main()
