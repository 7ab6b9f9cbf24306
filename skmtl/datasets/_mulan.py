"""Loader for the MULAN multi-label data sets (ARFF data, XML label list)."""

import xml.etree.ElementTree as ElementTree
from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch

from ._arff import arff_error, read_arff
from ._base import _resolve_data_home

SUBSETS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}
_README_NAMES = ("README.md", "README.txt", "README")
# Two-valued nominal attributes whose values read as false/true, in that order.
_BOOLEAN_PAIRS = (("0", "1"), ("no", "yes"), ("false", "true"))

_REFERENCE = """\
G. Tsoumakas, E. Spyromitros-Xioufis, J. Vilcek and I. Vlahavas. Mulan: a Java
library for multi-label learning. Journal of Machine Learning Research,
12:2411-2414, 2011. Data sets: https://mulan.sourceforge.net/datasets-mlc.html
"""


def _check_arguments(name, subset, return_X_y):
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}.")
    if not name or name in {".", ".."} or "/" in name or "\\" in name:
        raise ValueError(
            f"name must be the name of a data set folder (such as 'emotions'), "
            f"got {name!r}."
        )
    if not isinstance(subset, str) or subset not in SUBSETS:
        raise ValueError(f"subset must be 'train', 'test' or 'all', got {subset!r}.")
    if not isinstance(return_X_y, (bool, np.bool_)):
        raise TypeError(f"return_X_y must be a bool, got {type(return_X_y).__name__}.")


def _missing_message(path, name, data_home, source):
    return (
        f"MULAN data file not found: {path}. load_mulan({name!r}) reads "
        f"<data_home>/multilabel/{name}/{name}.xml, {name}-train.arff and "
        f"{name}-test.arff, where data_home is the data_home argument, else "
        f"$SKMTL_DATA_HOME, else ~/skmtl_data. Here data_home is {data_home} "
        f"(from {source}). Put the files there (MULAN's data sets: "
        "https://mulan.sourceforge.net/datasets-mlc.html), or point data_home or "
        f"SKMTL_DATA_HOME to the folder that holds multilabel/{name}."
    )


def _read_labels(path):
    """Label names of a MULAN XML file, in document order, nested ones included."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        raise ValueError(f"{path}: not a valid XML file ({exc}).") from exc
    # Hierarchical label sets nest <label> elements: every one of them is a label.
    elements = [e for e in root.iter() if e.tag.rpartition("}")[2] == "label"]
    labels = [element.get("name") for element in elements]
    if not labels:
        raise ValueError(f"{path}: no <label name=...> element; no labels declared.")
    if None in labels or "" in labels:
        raise ValueError(f"{path}: a <label> element has no name attribute.")
    repeated = sorted(label for label, n in Counter(labels).items() if n > 1)
    if repeated:
        raise ValueError(f"{path}: label(s) {repeated} are declared more than once.")
    return labels


def _label_column(arff, attribute):
    """The 0/1 values of one label attribute; it must be nominal ``{0,1}``."""
    if attribute.values is None or sorted(attribute.values) != ["0", "1"]:
        declared = "numeric" if attribute.values is None else set(attribute.values)
        raise arff_error(
            arff.path,
            attribute.line,
            f"label {attribute.name!r} must be a nominal attribute with values "
            f"{{0,1}}, got {declared}.",
        )
    codes = arff.codes[attribute.name]
    missing = np.flatnonzero(codes < 0)
    if missing.size:
        raise arff_error(
            arff.path,
            arff.row_lines[missing[0]],
            f"label {attribute.name!r} is missing ('?'); every label must be 0 or 1.",
        )
    return (codes == attribute.values.index("1")).astype(np.int64)


def _binary_encoding(attribute):
    """(index of the value encoded as 1, column name) of a two-valued attribute."""
    lowered = tuple(value.lower() for value in attribute.values)
    for pair in _BOOLEAN_PAIRS:
        if sorted(lowered) == list(pair):
            return lowered.index(pair[1]), attribute.name
    return 1, f"{attribute.name}={attribute.values[1]}"


def _encode_nominal(attribute, codes):
    """Columns and names of one nominal feature; a missing value gives NaN."""
    if len(attribute.values) == 2:
        one, name = _binary_encoding(attribute)
        block, names = (codes == one)[:, None].astype(np.float64), [name]
    else:
        block = (codes[:, None] == np.arange(len(attribute.values))).astype(np.float64)
        names = [f"{attribute.name}={value}" for value in attribute.values]
    block[codes < 0] = np.nan
    return block, names


def _features(arff, label_names):
    """X in the attribute order of the file, with the nominal features encoded.

    The numeric attributes come first from the parser; the encoded nominal
    blocks are appended, then one column permutation restores the file's order.
    """
    numeric = arff.numeric
    position, n_columns = [], numeric.shape[1]
    blocks, names = [numeric], []
    numeric_seen = 0
    for attribute in arff.attributes:
        if attribute.name in label_names:
            continue
        if attribute.values is None:
            position.append([numeric_seen])
            names.append(attribute.name)
            numeric_seen += 1
            continue
        block, block_names = _encode_nominal(attribute, arff.codes[attribute.name])
        blocks.append(sp.csr_matrix(block) if arff.sparse else block)
        position.append(list(range(n_columns, n_columns + block.shape[1])))
        names.extend(block_names)
        n_columns += block.shape[1]
    if len(blocks) == 1:
        return numeric, names
    order = np.concatenate(position).astype(np.intp)
    stacked = sp.hstack(blocks, format="csr") if arff.sparse else np.hstack(blocks)
    return stacked[:, order], names


def _read_part(path, labels, xml_path):
    """(X, Y, feature names, header) of one ARFF file."""
    arff = read_arff(path)
    by_name = {attribute.name: attribute for attribute in arff.attributes}
    absent = [label for label in labels if label not in by_name]
    if absent:
        raise ValueError(
            f"{xml_path} names label(s) {absent} that {path} does not declare as "
            "@attribute."
        )
    # The XML says which attributes are labels; their columns follow the ARFF
    # declaration order, as in Weka, OpenML and published results (yeast's
    # XML lists Class1, Class2, Class3, Class6, ...).
    position = {attribute.name: k for k, attribute in enumerate(arff.attributes)}
    labels = sorted(labels, key=position.__getitem__)
    Y = np.zeros((arff.n_rows, len(labels)), dtype=np.int64)
    for k, label in enumerate(labels):
        Y[:, k] = _label_column(arff, by_name[label])
    X, feature_names = _features(arff, set(labels))
    header = [(attribute.name, attribute.values) for attribute in arff.attributes]
    return X, Y, feature_names, header, labels


def _check_same_header(headers, paths):
    if headers[0] == headers[1]:
        return
    pairs = zip(headers[0], headers[1], strict=False)
    differ = next((k for k, (a, b) in enumerate(pairs) if a != b), None)
    if differ is None:
        where = f"{len(headers[0])} vs {len(headers[1])} attributes"
    else:
        where = f"attribute {differ + 1}: {headers[0][differ]} vs {headers[1][differ]}"
    raise ValueError(
        f"{paths[0]} and {paths[1]} declare different attributes ({where}); "
        "subset='all' stacks their rows, so their @attribute lines must agree."
    )


def _stack(parts, paths):
    if len(parts) == 1:
        return parts[0][:3]
    _check_same_header([part[3] for part in parts], paths)
    blocks = [part[0] for part in parts]
    if any(sp.issparse(block) for block in blocks):
        X = sp.vstack([sp.csr_matrix(block) for block in blocks], format="csr")
    else:
        X = np.vstack(blocks)
    return X, np.vstack([part[1] for part in parts]), parts[0][2]


def _describe(name, subset, paths, X, Y, folder):
    title = f"MULAN multi-label data set {name!r}"
    cardinality = (
        f"{Y.sum(axis=1).mean():.2f} (mean labels per row)"
        if len(Y)
        else "undefined (no rows)"
    )
    lines = [
        title,
        "-" * len(title),
        "",
        f"Read from {', '.join(path.name for path in paths)} (subset={subset!r}).",
        "",
        f":Number of rows: {X.shape[0]}",
        f":Number of features: {X.shape[1]} (nominal attributes encoded)",
        f":Number of labels: {Y.shape[1]}",
        f":Label cardinality: {cardinality}",
        f":Sparse features: {'yes' if sp.issparse(X) else 'no'}",
        "",
        "References",
        "----------",
        _REFERENCE,
    ]
    readme = _readme(folder)
    if readme is not None:
        lines += [f"{readme[0]} of the data set", "", readme[1], ""]
    return "\n".join(lines)


def _readme(folder):
    """(file name, text) of the data set's README, or None if it has none."""
    for name in _README_NAMES:
        if (folder / name).is_file():
            return name, (folder / name).read_text(errors="replace").strip()
    return None


def load_mulan(name, *, subset="train", data_home=None, return_X_y=False):
    """Load a MULAN multi-label data set (emotions, scene, yeast, flags, ...).

    Reads the ARFF data and the XML label list of a data set of the MULAN
    collection from ``<data_home>/multilabel/<name>/``. Nothing is downloaded:
    put the files there first. Each label is one task of the shared design:
    ``X`` is (n_samples, n_features), ``Y`` is (n_samples, n_labels) of 0/1.

    ==========  ===================  ========  ======
    Name        Rows (train / test)  Features  Labels
    ==========  ===================  ========  ======
    emotions    391 / 202            72        6
    scene       1211 / 1196          294       6
    yeast       1500 / 917           103       14
    flags       129 / 65             43        7
    ==========  ===================  ========  ======

    The 43 features of flags encode its 19 attributes: 10 numeric, 5 binary,
    and 4 nominal ones (landmass, zone, language, religion) one-hot encoded.

    Any other data set in MULAN's format, dense or sparse ARFF, is read the
    same way. See :ref:`mulan_datasets` for the encoding rules.

    Parameters
    ----------
    name : str
        Name of the data set: the folder ``multilabel/<name>`` holds
        ``<name>.xml``, ``<name>-train.arff`` and ``<name>-test.arff``.

    subset : {"train", "test", "all"}, default="train"
        The official training part, the test part, or both: ``"all"`` is the
        training rows followed by the test rows (the two files must declare
        the same attributes). A ``<name>.arff`` file holding the union is not
        read: not every data set has one, and its rows are not always in
        this order.

    data_home : str or path-like, default=None
        Folder that holds ``multilabel/<name>``. When None,
        ``$SKMTL_DATA_HOME`` is used, else ``~/skmtl_data``. See
        :func:`get_data_home`.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (n_samples, n_features) or scipy.sparse.csr_matrix
            The features, float64, in the order of the ARFF attributes, with
            the labels left out and the nominal attributes encoded. A sparse
            ARFF file gives a CSR matrix. A missing value (``?``) is NaN.
        target : ndarray of shape (n_samples, n_labels)
            The labels as int64 0/1, always dense, in the order of the ARFF
            file. Column ``k`` is task ``k`` of a shared-design estimator.
        feature_names : list of str
            Names of the columns of ``data``: the attribute name, or
            ``"<attribute>=<value>"`` for an encoded nominal value.
        target_names : list of str
            The label names, in the order the ARFF file declares them.
        DESCR : str
            Description of the data set (with the data set's README, when
            its folder has one).

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    Raises
    ------
    FileNotFoundError
        If a file is missing; the message names it and says where the files go.
    ValueError
        If ``name`` or ``subset`` is invalid, or a file is malformed: the
        message names the file and, for the ARFF files, the line. In
        particular a label of the XML file that is not an ARFF attribute, a
        label that is not nominal ``{0,1}`` or has a missing value, and an
        attribute of type string, date or relational.

    Notes
    -----
    Labels are found by name, wherever they sit among the ARFF attributes.
    Nominal features are encoded as follows. A two-valued attribute gives one
    0/1 column: when its values are, ignoring case, ``0``/``1``,
    ``no``/``yes`` or ``false``/``true``, 1 means ``1``, ``yes`` or ``true``
    and the column keeps the attribute's name; otherwise 1 means the second
    declared value, and the column is named ``"<attribute>=<that value>"``.
    An attribute with one or more than two values is one-hot encoded, one
    column ``"<attribute>=<value>"`` per declared value, in declared order.
    In a sparse row an omitted value is 0 for a numeric attribute and the
    first declared value for a nominal one (Weka's convention).

    References
    ----------
    G. Tsoumakas, E. Spyromitros-Xioufis, J. Vilcek and I. Vlahavas. Mulan: a
    Java library for multi-label learning. Journal of Machine Learning
    Research, 12:2411-2414, 2011.

    Examples
    --------
    >>> from skmtl.datasets import load_mulan
    >>> emotions = load_mulan("emotions")  # doctest: +SKIP
    >>> emotions.data.shape, emotions.target.shape  # doctest: +SKIP
    ((391, 72), (391, 6))
    >>> emotions.target_names[:2]  # doctest: +SKIP
    ['amazed-suprised', 'happy-pleased']
    >>> X, Y = load_mulan("emotions", subset="all", return_X_y=True)  # doctest: +SKIP
    >>> X.shape, Y.shape  # doctest: +SKIP
    ((593, 72), (593, 6))
    """
    _check_arguments(name, subset, return_X_y)
    home, source = _resolve_data_home(data_home)
    folder = home / "multilabel" / name
    xml_path = folder / f"{name}.xml"
    paths = [folder / f"{name}-{part}.arff" for part in SUBSETS[subset]]
    for path in [xml_path, *paths]:
        if not path.is_file():
            raise FileNotFoundError(_missing_message(path, name, home, source))

    parts = [_read_part(path, _read_labels(xml_path), xml_path) for path in paths]
    labels = parts[0][4]
    X, Y, feature_names = _stack([part[:4] for part in parts], paths)
    if return_X_y:
        return X, Y
    return Bunch(
        data=X,
        target=Y,
        feature_names=list(feature_names),
        target_names=list(labels),
        DESCR=_describe(name, subset, paths, X, Y, folder),
    )
