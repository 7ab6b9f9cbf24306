"""The report of ``python -m skmtl``: header, table and takeaway."""

import textwrap

import numpy as np


def format_report(header, notes, scoring_text, results, score_name):
    """The whole output: header, notes, scoring, table and takeaway.

    Parameters
    ----------
    header : str
        From :func:`format_header`.
    notes : list of str
        Things the user should know about how the data was read.
    scoring_text : str
        What the scoring is and why it was chosen.
    results : list of Result
        The independent, pooled and MTL results, in that order.
    score_name : str
        The scoring's label in the table.

    Returns
    -------
    report : str
    """
    lines = [header, ""]
    lines += [_wrap(f"Note: {note}") for note in notes]
    lines += [_wrap(scoring_text), ""]
    lines += [format_table(results, score_name), ""]
    lines.append(format_takeaway(results, score_name))
    return "\n".join(lines)


def format_header(dataset, n_train, n_test, test_size, n_splits, random_state):
    """The paragraph above the table: the data, the split and the protocol.

    Returns
    -------
    header : str
    """
    strata, folds = "task", "shuffled"
    if dataset.classification:
        strata, folds = "task and class", "also stratified on the class, shuffled"
    text = (
        f"{dataset.description} {n_train:,} rows train the models and {n_test:,} "
        f"held-out rows ({test_size:.0%}) test them; the split is stratified on "
        f"the {strata}, so every task is in the training rows. Each model is "
        f"tuned by GridSearchCV on the training rows with {n_splits}-fold "
        f"TaskStratifiedKFold ({folds}, random_state={random_state}), features "
        "standardised inside the pipeline. CV: mean inner-CV score of the "
        "chosen setting; test: score on the held-out rows; fit: refit of the "
        "chosen model on all training rows."
    )
    return _wrap(text)


def _wrap(text):
    return textwrap.fill(text, width=88, break_on_hyphens=False)


def format_table(results, score_name):
    """The comparison table, one row per model.

    Parameters
    ----------
    results : list of Result
    score_name : str

    Returns
    -------
    table : str
    """
    header = [
        "model",
        "hyperparameters",
        f"CV {score_name}",
        f"test {score_name}",
        "fit (ms)",
    ]
    rows = [
        [
            r.name,
            ", ".join(f"{k}={v:g}" for k, v in r.params.items()),
            f"{r.cv_score:.3f}",
            f"{r.test_score:.3f}",
            f"{r.fit_ms:.1f}",
        ]
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = [False, False, True, True, True]

    def line(cells):
        padded = [
            c.rjust(w) if r else c.ljust(w)
            for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def format_takeaway(results, score_name):
    """One line saying which model does best on the held-out rows.

    A model wins only if its score is ahead at the printed precision (3
    decimals); models whose printed scores are equal tie.

    Parameters
    ----------
    results : list of Result
        The independent, pooled and MTL results, in that order.
    score_name : str

    Returns
    -------
    takeaway : str
    """
    ranked = sorted(results, key=lambda r: r.test_score, reverse=True)
    best = _printed(ranked[0].test_score)
    top = [r for r in ranked if _printed(r.test_score) == best]
    behind = [r for r in ranked if _printed(r.test_score) != best]
    score = f"(test {score_name} {best:.3f})"
    if len(top) > 1:
        sentence = (
            f"Takeaway: {_join([r.short_name for r in top])} tie on the held-out "
            f"rows {score}"
        )
    else:
        verb = "do" if top[0].short_name.endswith("models") else "does"
        sentence = (
            f"Takeaway: {top[0].short_name} {verb} best on the held-out rows {score}"
        )
    if behind:
        others = [f"{r.short_name} ({r.test_score:.3f})" for r in behind]
        sentence += f", ahead of {_join(others)}"
    return sentence + _limit_coupling(results[-1]) + "."


def _printed(score):
    # The value shown in the table; float() makes "-0.000" equal "0.000".
    return float(f"{score:.3f}")


def _join(names):
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _limit_coupling(mtl):
    """The clause saying that the tuned MTL chose one of the two baselines."""
    coupling = mtl.params.get("coupling")
    if coupling == 0:
        return "; the tuned MTL chose coupling=0, i.e. independent models"
    if coupling == np.inf:
        return "; the tuned MTL chose coupling=inf, i.e. the pooled model"
    return ""
