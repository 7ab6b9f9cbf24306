"""Loader for the School (ILEA) multi-task regression data."""

import numbers

import numpy as np
import scipy.io
from sklearn.utils import Bunch

from ._base import _resolve_data_home, import_pandas

N_SPLITS = 10
_DATA_FILE = "school_b.mat"
_SPLIT_FILE = "school_{}_indexes.mat"

# Row order of the 27 attributes of ``x`` in school_b.mat. The binary indicators of
# each categorical attribute follow the order of its codes in README.txt; for the
# VR band the codes 1, 2, 3 mean VR3, VR1, VR2.
FEATURE_NAMES = [
    "year_1985",
    "year_1986",
    "year_1987",
    "fsm_pct",
    "vr1_pct",
    "gender_male",
    "gender_female",
    "vr_band_3",
    "vr_band_1",
    "vr_band_2",
    "ethnic_eswi",
    "ethnic_african",
    "ethnic_arab",
    "ethnic_bangladeshi",
    "ethnic_caribbean",
    "ethnic_greek",
    "ethnic_indian",
    "ethnic_pakistani",
    "ethnic_se_asian",
    "ethnic_turkish",
    "ethnic_other",
    "school_mixed",
    "school_boys",
    "school_girls",
    "denomination_maintained",
    "denomination_church_of_england",
    "denomination_roman_catholic",
]
TASK_COLUMN = "school"
TARGET_NAME = "exam_score"

DESCR = """\
School data set (Inner London Education Authority)
--------------------------------------------------

Examination records of 15362 students in 139 secondary schools, years 1985-1987
(Goldstein, 1991). Each school is a task; the target is the student's exam score.

**Data set characteristics:**

:Number of rows: 15362
:Number of tasks: 139 (column ``school``, ids 1..139; 22 to 251 rows per school)
:Number of attributes: 27, categorical attributes coded as binary indicators
    (year; gender; VR band of the student; ethnic group; school gender;
    school denomination) plus two school-year percentages (``fsm_pct``: percent of
    students eligible for free school meals; ``vr1_pct``: percent of students in
    VR band 1). The constant bias row of the original file is dropped: skmtl's
    models fit one intercept per task. Some students have no VR band (all three
    ``vr_band_*`` indicators are 0).
:Target: ``exam_score``

``splits`` holds the 10 random 75/25 train/test splits used in the multi-task
learning literature (e.g. Argyriou, Evgeniou and Pontil, 2008), as 0-based row
positions. The usual metric is the explained variance on the test rows,
``1 - Var(y - y_pred) / Var(y)``, pooled over all test rows, reported as mean and
standard deviation over the 10 splits.

The binary indicators follow the order of the codes in the original coding; their
names were deduced from the value distributions and that coding.

References
----------
H. Goldstein. Multilevel modelling of survey data. The Statistician, 40:235-244,
1991.
"""


def _missing_message(path, data_home, source):
    return (
        f"School data file not found: {path}. load_school reads "
        f"<data_home>/mtl/school/{_DATA_FILE} and the {N_SPLITS} split files "
        f"<data_home>/mtl/school/school_1_indexes.mat ... school_{N_SPLITS}_indexes.mat"
        f", where data_home is the data_home argument, else $SKMTL_DATA_HOME, else "
        f"~/skmtl_data. Here data_home is {data_home} (from {source}). Put the files "
        "there, or point data_home or SKMTL_DATA_HOME to the folder that holds "
        "mtl/school."
    )


def _loadmat(path, keys):
    try:
        mat = scipy.io.loadmat(path)
    except Exception as exc:  # scipy raises several types for unreadable files
        raise ValueError(f"Could not read {path} as a MATLAB file: {exc}") from exc
    missing = [key for key in keys if key not in mat]
    if missing:
        raise ValueError(f"{path} has no variable(s) {missing}; expected {keys}.")
    return mat


def _as_index(values, path, name, n_rows):
    """1-based MATLAB indices -> 0-based int64, checked to lie in [1, n_rows]."""
    values = np.asarray(values)
    if values.size == 0 or values.ndim != 2 or 1 not in values.shape:
        raise ValueError(
            f"{path}: '{name}' should be a non-empty vector, got shape {values.shape}."
        )
    if values.dtype.kind not in "iu":
        raise ValueError(f"{path}: '{name}' should hold integers, got {values.dtype}.")
    # Cast before subtracting: the files store uint16.
    values = values.ravel().astype(np.int64)
    if values.min() < 1 or values.max() > n_rows:
        raise ValueError(
            f"{path}: '{name}' holds row indices outside 1..{n_rows} "
            f"(min {values.min()}, max {values.max()})."
        )
    return values - 1


def _read_data(path):
    mat = _loadmat(path, ["x", "y", "task_indexes"])
    x, y = np.asarray(mat["x"]), np.asarray(mat["y"])
    n_rows_x = len(FEATURE_NAMES) + 1
    if x.ndim != 2 or x.shape[0] != n_rows_x:
        raise ValueError(
            f"{path}: 'x' should have shape ({n_rows_x}, n_students) "
            f"(27 attributes and a bias row), got {x.shape}."
        )
    n = x.shape[1]
    if y.size != n or (y.ndim == 2 and 1 not in y.shape) or y.ndim > 2:
        raise ValueError(
            f"{path}: 'y' should have {n} entries (one per column of 'x'), "
            f"got shape {y.shape}."
        )
    x = x[:-1].T.astype(np.float64)
    y = y.ravel().astype(np.float64)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError(f"{path}: 'x' or 'y' holds non-finite values.")
    starts = _as_index(mat["task_indexes"], path, "task_indexes", n)
    if starts[0] != 0 or np.any(np.diff(starts) <= 0):
        raise ValueError(
            f"{path}: 'task_indexes' should start at 1 and increase strictly "
            "(rows are grouped by task)."
        )
    school = np.searchsorted(starts, np.arange(n), side="right").astype(np.int64)
    return x, y, school


def _read_split(path, n):
    mat = _loadmat(path, ["tr", "tst"])
    train = _as_index(mat["tr"], path, "tr", n)
    test = _as_index(mat["tst"], path, "tst", n)
    if np.unique(train).size != train.size or np.unique(test).size != test.size:
        raise ValueError(f"{path}: 'tr' or 'tst' repeats a row index.")
    if np.intersect1d(train, test).size:
        raise ValueError(f"{path}: 'tr' and 'tst' share row indices.")
    return train, test


def load_school(data_home=None, split=None):
    """Load the School data set (ILEA exam scores, 139 schools as tasks).

    Reads ``<data_home>/mtl/school/school_b.mat`` and the 10 standard split
    files ``school_{1..10}_indexes.mat``. Nothing is downloaded: put the files in
    that folder first. Read more in ``DESCR``.

    =================   ==========================
    Rows                15362 students
    Tasks               139 schools (``school``)
    Features            27 (binary and percentages)
    Target              exam score (real)
    Standard splits     10 random 75/25 splits
    =================   ==========================

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds ``mtl/school``. When None, ``$SKMTL_DATA_HOME`` is
        used, else ``~/skmtl_data``. See :func:`get_data_home`.

    split : int, default=None
        If an int in 1..10, also return the train and test parts of that
        standard split (``train_index``, ``X_train``, ... below).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : pandas.DataFrame of shape (15362, 28)
            Column ``"school"`` (int, school id 1..139) followed by the 27
            attributes (float64). Pass it to a task-indexed estimator with
            ``task_column="school"``.
        target : pandas.Series of shape (15362,)
            The exam score (float64), named ``"exam_score"``.
        frame : pandas.DataFrame of shape (15362, 29)
            ``data`` and ``target`` side by side.
        task_column : str
            ``"school"``.
        feature_names : list of str
            The 27 attribute names (the task column excluded).
        target_names : list of str
            ``["exam_score"]``.
        splits : list of 10 tuples (train_index, test_index)
            The standard 75/25 splits as 0-based row positions (int64 arrays),
            in the order of the split files. Usable as ``cv=`` in
            scikit-learn's model selection tools.
        DESCR : str
            Description of the data set.
        train_index, test_index : ndarray of int64
            Only when ``split`` is given: the rows of that split.
        X_train, X_test : pandas.DataFrame
            Only when ``split`` is given: ``data.iloc[train_index]`` and
            ``data.iloc[test_index]`` (row labels are kept).
        y_train, y_test : pandas.Series
            Only when ``split`` is given: the matching targets.

    Raises
    ------
    FileNotFoundError
        If a file is missing; the message names it and says where the files go.
    ValueError
        If ``split`` is invalid, or a file's content is inconsistent.

    Notes
    -----
    The usual evaluation is the explained variance
    ``1 - Var(y - y_pred) / Var(y)`` over all test rows of a split, averaged
    over the 10 splits.

    References
    ----------
    H. Goldstein. Multilevel modelling of survey data. The Statistician,
    40:235-244, 1991.

    Examples
    --------
    >>> from skmtl.datasets import load_school
    >>> school = load_school(split=1)  # doctest: +SKIP
    >>> school.data.shape  # doctest: +SKIP
    (15362, 28)
    >>> school.X_train.shape, school.X_test.shape  # doctest: +SKIP
    ((11472, 28), (3890, 28))
    """
    if split is not None and (
        not isinstance(split, numbers.Integral)
        or isinstance(split, bool)
        or not 1 <= split <= N_SPLITS
    ):
        raise ValueError(
            f"split must be None or an int in 1..{N_SPLITS}, got {split!r}."
        )

    home, source = _resolve_data_home(data_home)
    folder = home / "mtl" / "school"
    paths = [folder / _DATA_FILE]
    paths += [folder / _SPLIT_FILE.format(k) for k in range(1, N_SPLITS + 1)]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(_missing_message(path, home, source))

    x, y, school = _read_data(paths[0])
    splits = [_read_split(path, len(y)) for path in paths[1:]]

    pd = import_pandas("load_school")
    data = pd.DataFrame(x, columns=FEATURE_NAMES)
    data.insert(0, TASK_COLUMN, school)
    target = pd.Series(y, name=TARGET_NAME)
    frame = pd.concat([data, target], axis=1)

    bunch = Bunch(
        data=data,
        target=target,
        frame=frame,
        task_column=TASK_COLUMN,
        feature_names=list(FEATURE_NAMES),
        target_names=[TARGET_NAME],
        splits=splits,
        DESCR=DESCR,
    )
    if split is not None:
        train, test = splits[split - 1]
        bunch.update(
            train_index=train,
            test_index=test,
            X_train=data.iloc[train],
            X_test=data.iloc[test],
            y_train=target.iloc[train],
            y_test=target.iloc[test],
        )
    return bunch
