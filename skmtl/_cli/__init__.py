"""The command line of ``python -m skmtl``.

It answers one question on grouped data: do the tasks gain from being learned
together? Three models are tuned by cross-validation on the training rows and
scored on held-out rows:

* independent models, one per task (``MeanRegularized*(coupling=0)``);
* one pooled model with per-task intercepts (``coupling=inf``);
* mean-regularized multi-task learning (``alpha`` and ``coupling`` tuned).

The data is either an embedded generated example or a user's CSV file with one
row per observation, a task column, a target column and numeric features.

The modules follow the run: ``_args`` (the parser and its checks), ``_data``
(the example and the CSV file), ``_experiment`` (scoring, split and searches)
and ``_report`` (header, table and takeaway).
"""

import sys

from sklearn.utils import _safe_indexing

from ._args import PROG, build_parser, check_arguments, check_scoring
from ._data import CLIError, Dataset, _one_line, load_csv, load_example
from ._experiment import (
    SCORINGS,
    Result,
    build_searches,
    choose_scoring,
    make_pipeline,
    run_searches,
    split_data,
)
from ._report import format_header, format_report, format_table, format_takeaway

__all__ = [
    "CLIError",
    "Dataset",
    "Result",
    "build_parser",
    "build_searches",
    "choose_scoring",
    "format_header",
    "format_table",
    "format_takeaway",
    "load_csv",
    "load_example",
    "main",
    "make_pipeline",
    "run_searches",
    "split_data",
]


def main(argv=None):
    """Run ``python -m skmtl``.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments without the program name; ``None`` reads
        ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 on an error in the input (after printing one line on
        stderr). Errors in the arguments themselves, and ``--help``, exit
        through ``SystemExit`` as argparse does.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    try:
        dataset = _load(args)
        # Whether a scoring fits is known only once the target is read.
        check_scoring(parser, args.scoring, dataset)
        scoring, scoring_text = choose_scoring(dataset, args.scoring)
        train, test = split_data(dataset, args.test_size, args.cv, args.random_state)
        searches = build_searches(
            dataset, args.alphas, args.couplings, args.cv, args.random_state, scoring
        )
        results = run_searches(
            searches,
            _safe_indexing(dataset.X, train),
            dataset.y[train],
            _safe_indexing(dataset.X, test),
            dataset.y[test],
        )
    except CLIError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    header = format_header(
        dataset, len(train), len(test), args.test_size, args.cv, args.random_state
    )
    score_name = SCORINGS[scoring].label
    print(format_report(header, dataset.notes, scoring_text, results, score_name))
    return 0


def _load(args):
    """The embedded example, or the ``--data`` file read as the arguments say."""
    if args.data is None:
        return load_example()
    return load_csv(
        args.data,
        args.task_column,
        args.target,
        classification=args.classification,
        regression=args.regression,
    )
