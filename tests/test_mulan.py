"""Tests for skmtl.datasets.load_mulan and its ARFF reader.

Small ARFF and XML files written to ``tmp_path`` cover the format and every
error; the real MULAN sets are read from ``SKMTL_DATA_HOME`` (see conftest.py).
"""

import re

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.io import arff

from skmtl.datasets import load_mulan

NAMESPACE = "http://mulan.sourceforge.net/labels"


def _xml(labels):
    body = "".join(f'<label name="{label}"></label>\n' for label in labels)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<labels xmlns="{NAMESPACE}">\n{body}</labels>\n'
    )


def _arff(attributes, rows, relation="toy"):
    """Line 1 is @relation, then one line per attribute, @data, then the rows."""
    lines = [f"@relation {relation}"]
    lines += [f"@attribute {attribute}" for attribute in attributes]
    lines += ["@data", *rows]
    return "\n".join(lines) + "\n"


def _row_line(attributes, k):
    """1-based line of data row ``k`` in a file written by ``_arff``."""
    return len(attributes) + 3 + k


def _write(home, attributes, train, test=(), labels=("a", "b"), name="toy", xml=None):
    folder = home / "multilabel" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.xml").write_text(_xml(labels) if xml is None else xml)
    (folder / f"{name}-train.arff").write_text(_arff(attributes, train))
    (folder / f"{name}-test.arff").write_text(_arff(attributes, test))
    return folder


def _raises(path, line, message):
    """Every malformed-file error starts with '<file>, line <n>: '."""
    prefix = re.escape(f"{path}, line {line}: ")
    return pytest.raises(ValueError, match=prefix + message)


DENSE = ["x1 numeric", "x2 real", "a {0,1}", "b {0,1}"]


# --------------------------------------------------------------------------- #
# Dense files, subsets, Bunch
# --------------------------------------------------------------------------- #


def test_dense_bunch(tmp_path):
    _write(tmp_path, DENSE, ["1.5,-2,1,0", "0,3e2,0,0", "4,5,1,1"], ["7,8,0,1"])
    bunch = load_mulan("toy", data_home=tmp_path)
    assert set(bunch) == {"data", "target", "feature_names", "target_names", "DESCR"}
    assert isinstance(bunch.data, np.ndarray) and bunch.data.dtype == np.float64
    np.testing.assert_array_equal(bunch.data, [[1.5, -2], [0, 300], [4, 5]])
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.target, [[1, 0], [0, 0], [1, 1]])
    assert bunch.feature_names == ["x1", "x2"]
    assert bunch.target_names == ["a", "b"]
    assert "'toy'" in bunch.DESCR
    assert ":Number of rows: 3" in bunch.DESCR
    assert ":Label cardinality: 1.00" in bunch.DESCR
    assert "Tsoumakas" in bunch.DESCR


def test_subsets_and_return_X_y(tmp_path):
    _write(tmp_path, DENSE, ["1,2,1,0", "3,4,0,1"], ["5,6,1,1"])
    X_test, Y_test = load_mulan(
        "toy", subset="test", data_home=tmp_path, return_X_y=True
    )
    np.testing.assert_array_equal(X_test, [[5, 6]])
    np.testing.assert_array_equal(Y_test, [[1, 1]])
    # "all" is the training rows, then the test rows.
    X, Y = load_mulan("toy", subset="all", data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(Y, [[1, 0], [0, 1], [1, 1]])
    bunch = load_mulan("toy", subset="all", data_home=tmp_path)
    np.testing.assert_array_equal(bunch.data, X)
    assert "subset='all'" in bunch.DESCR


def test_readme_goes_into_descr(tmp_path):
    folder = _write(tmp_path, DENSE, ["1,2,1,0"])
    assert "Toy README" not in load_mulan("toy", data_home=tmp_path).DESCR
    (folder / "README.md").write_text("Toy README: two labels.\n")
    assert "Toy README: two labels." in load_mulan("toy", data_home=tmp_path).DESCR


def test_reads_env_var(tmp_path, monkeypatch):
    _write(tmp_path, DENSE, ["1,2,1,0"])
    monkeypatch.setenv("SKMTL_DATA_HOME", str(tmp_path))
    np.testing.assert_array_equal(load_mulan("toy").data, [[1, 2]])


def test_empty_data_section(tmp_path):
    _write(tmp_path, DENSE, [])
    bunch = load_mulan("toy", data_home=tmp_path)
    assert bunch.data.shape == (0, 2) and bunch.target.shape == (0, 2)
    assert "undefined (no rows)" in bunch.DESCR


# --------------------------------------------------------------------------- #
# Syntax: comments, case, quotes, blanks
# --------------------------------------------------------------------------- #


def test_comments_case_quotes_and_blanks(tmp_path):
    text = "\n".join(
        [
            "% a comment before the header",
            "@RELATION 'a toy relation'",
            "",
            "@Attribute 'mean level' NUMERIC",
            '@ATTRIBUTE "count, raw"\tInteger',
            "  @attribute colour {'dark red', \"light, blue\"}",
            "@attribute a{0,1}",
            "@attribute b {0, 1}",
            "% a comment between header and data",
            "@DATA",
            "",
            "0.5, 3, 'dark red', 1, 0",
            "   % an indented comment",
            '-1,4,"light, blue",0,1',
            "",
        ]
    )
    folder = _write(tmp_path, DENSE, [])
    (folder / "toy-train.arff").write_text(text)
    bunch = load_mulan("toy", data_home=tmp_path)
    assert bunch.feature_names == ["mean level", "count, raw", "colour=light, blue"]
    np.testing.assert_array_equal(bunch.data, [[0.5, 3, 0], [-1, 4, 1]])
    np.testing.assert_array_equal(bunch.target, [[1, 0], [0, 1]])


def test_windows_line_ends_and_byte_order_mark(tmp_path):
    folder = _write(tmp_path, DENSE, [])
    text = "\ufeff" + _arff(DENSE, ["1,2,0,1", "% c", "3,4,1,1"]).replace("\n", "\r\n")
    (folder / "toy-train.arff").write_bytes(text.encode("utf-8"))
    X, Y = load_mulan("toy", data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(Y, [[0, 1], [1, 1]])


def test_escaped_quote_in_name(tmp_path):
    attributes = ["'it\\'s' numeric", "a {0,1}", "b {0,1}"]
    _write(tmp_path, attributes, ["2,0,1"])
    assert load_mulan("toy", data_home=tmp_path).feature_names == ["it's"]


# --------------------------------------------------------------------------- #
# Labels
# --------------------------------------------------------------------------- #


def test_labels_first_and_in_arff_order(tmp_path):
    # Labels first in the file, in the other order than in the XML: the
    # columns follow the file. "b" is declared {1,0}: "1" still means 1.
    attributes = ["b {1,0}", "a {0,1}", "x1 numeric", "x2 numeric"]
    _write(tmp_path, attributes, ["1,0,3,4", "0,1,5,6", "0,0,7,8"])
    bunch = load_mulan("toy", data_home=tmp_path)
    assert bunch.target_names == ["b", "a"]
    np.testing.assert_array_equal(bunch.target, [[1, 0], [0, 1], [0, 0]])
    np.testing.assert_array_equal(bunch.data, [[3, 4], [5, 6], [7, 8]])


def test_labels_between_features(tmp_path):
    attributes = ["x1 numeric", "a {0,1}", "x2 numeric", "b {0,1}", "x3 numeric"]
    _write(tmp_path, attributes, ["1,1,2,0,3"])
    bunch = load_mulan("toy", data_home=tmp_path)
    assert bunch.feature_names == ["x1", "x2", "x3"]
    np.testing.assert_array_equal(bunch.data, [[1, 2, 3]])
    np.testing.assert_array_equal(bunch.target, [[1, 0]])


def test_hierarchical_labels_are_flattened(tmp_path):
    xml = (
        f'<labels xmlns="{NAMESPACE}">'
        '<label name="animal"><label name="cat"></label>'
        '<label name="dog"><label name="puppy"/></label></label>'
        '<label name="plant"/></labels>'
    )
    names = ["animal", "cat", "dog", "puppy", "plant"]
    attributes = ["x numeric", *(f"{name} {{0,1}}" for name in reversed(names))]
    _write(tmp_path, attributes, ["9,0,1,1,0,1"], xml=xml)
    bunch = load_mulan("toy", data_home=tmp_path)
    # Every XML label is found; the columns follow the ARFF declarations.
    assert bunch.target_names == names[::-1]
    np.testing.assert_array_equal(bunch.target, [[0, 1, 1, 0, 1]])


def test_xml_without_namespace(tmp_path):
    xml = '<labels><label name="a"/><label name="b"/></labels>'
    _write(tmp_path, DENSE, ["1,2,0,1"], xml=xml)
    assert load_mulan("toy", data_home=tmp_path).target_names == ["a", "b"]


# --------------------------------------------------------------------------- #
# Nominal features
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "declared, rows, name, column",
    [
        ("{0,1}", ["0", "1"], "f", [0, 1]),
        ("{1,0}", ["0", "1"], "f", [0, 1]),
        ("{YES,NO}", ["YES", "NO"], "f", [1, 0]),
        ("{no,yes}", ["yes", "no"], "f", [1, 0]),
        ("{True,False}", ["False", "True"], "f", [0, 1]),
        # Not a false/true pair: 1 is the second declared value, named.
        ("{male,female}", ["male", "female"], "f=female", [0, 1]),
        ("{female,male}", ["male", "female"], "f=male", [1, 0]),
    ],
)
def test_binary_nominal_feature(tmp_path, declared, rows, name, column):
    attributes = [f"f {declared}", "a {0,1}", "b {0,1}"]
    _write(tmp_path, attributes, [f"{value},0,1" for value in rows])
    bunch = load_mulan("toy", data_home=tmp_path)
    assert bunch.feature_names == [name]
    np.testing.assert_array_equal(bunch.data[:, 0], column)


def test_multi_valued_nominal_is_one_hot_in_declared_order(tmp_path):
    attributes = ["x numeric", "zone {c,a,b}", "only {k}", "a {0,1}", "b {0,1}"]
    _write(tmp_path, attributes, ["1,a,k,0,0", "2,c,k,1,0", "3,b,k,0,1"])
    bunch = load_mulan("toy", data_home=tmp_path)
    assert bunch.feature_names == ["x", "zone=c", "zone=a", "zone=b", "only=k"]
    expected = [[1, 0, 1, 0, 1], [2, 1, 0, 0, 1], [3, 0, 0, 1, 1]]
    np.testing.assert_array_equal(bunch.data, expected)


def test_missing_values_are_nan(tmp_path):
    attributes = ["x numeric", "f {no,yes}", "zone {1,2,3}", "a {0,1}", "b {0,1}"]
    _write(tmp_path, attributes, ["?,yes,2,1,0", "4,?,?,0,1", "5,no,3,0,0"])
    X = load_mulan("toy", data_home=tmp_path).data
    nan = np.nan
    expected = [[nan, 1, 0, 1, 0], [4, nan, nan, nan, nan], [5, 0, 0, 0, 1]]
    np.testing.assert_array_equal(X, expected)  # NaN == NaN here


# --------------------------------------------------------------------------- #
# Sparse files
# --------------------------------------------------------------------------- #


def test_sparse_x_stays_sparse(tmp_path):
    attributes = ["x0 numeric", "x1 numeric", "x2 numeric", "a {0,1}", "b {0,1}"]
    train = ["{0 1.5, 2 -3, 3 1}", "{}", "{ 1 2 , 4 1 }", "{2 ?, 0 0}"]
    _write(tmp_path, attributes, train, ["{1 7, 3 1, 4 1}"])
    bunch = load_mulan("toy", data_home=tmp_path)
    X = bunch.data
    assert sp.issparse(X) and X.format == "csr" and X.dtype == np.float64
    nan = np.nan
    expected = [[1.5, 0, -3], [0, 0, 0], [0, 2, 0], [0, 0, nan]]
    np.testing.assert_array_equal(X.toarray(), expected)
    assert X.nnz == 4  # the explicit 0 is dropped, the NaN kept
    assert isinstance(bunch.target, np.ndarray) and bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.target, [[1, 0], [0, 0], [0, 1], [0, 0]])

    X_all, Y_all = load_mulan("toy", subset="all", data_home=tmp_path, return_X_y=True)
    assert sp.issparse(X_all) and X_all.format == "csr"
    np.testing.assert_array_equal(X_all.toarray(), [*expected, [0, 7, 0]])
    np.testing.assert_array_equal(Y_all[-1], [1, 1])


def test_sparse_nominal_omitted_is_first_declared_value(tmp_path):
    # Weka's convention: an omitted nominal value is the first declared one.
    attributes = ["x numeric", "f {YES,NO}", "zone {p,q,r}", "a {0,1}", "b {0,1}"]
    _write(tmp_path, attributes, ["{0 2}", "{1 NO, 2 r, 3 1}", "{1 'YES', 2 ?}"])
    bunch = load_mulan("toy", data_home=tmp_path)
    assert bunch.feature_names == ["x", "f", "zone=p", "zone=q", "zone=r"]
    nan = np.nan
    expected = [[2, 1, 1, 0, 0], [0, 0, 0, 0, 1], [0, 1, nan, nan, nan]]
    assert sp.issparse(bunch.data)
    np.testing.assert_array_equal(bunch.data.toarray(), expected)
    np.testing.assert_array_equal(bunch.target, [[0, 0], [1, 0], [0, 0]])


def test_sparse_train_dense_test_gives_sparse_all(tmp_path):
    folder = _write(tmp_path, DENSE, ["{0 1, 2 1}"])
    (folder / "toy-test.arff").write_text(_arff(DENSE, ["0,5,0,1"]))
    X, Y = load_mulan("toy", subset="all", data_home=tmp_path, return_X_y=True)
    assert sp.issparse(X)
    np.testing.assert_array_equal(X.toarray(), [[1, 0], [0, 5]])
    np.testing.assert_array_equal(Y, [[1, 0], [0, 1]])


# --------------------------------------------------------------------------- #
# Malformed files: ValueError naming the file and the line
# --------------------------------------------------------------------------- #


def _train_path(tmp_path, name="toy"):
    return tmp_path / "multilabel" / name / f"{name}-train.arff"


@pytest.mark.parametrize(
    "attributes, rows, k, message",
    [
        (DENSE, ["1,2,0,1", "1,2,0"], 1, "expected 4 comma-separated values"),
        (DENSE, ["1,2,0,1,5"], 0, r"expected 4 .* got 5"),
        (DENSE, ["1,2,0,1", "1,abc,0,1"], 1, "value 'abc' of numeric attribute 'x2'"),
        (
            DENSE,
            ["?,2,0,1", "1,2,0,1", "?,1e,0,1"],
            2,
            "value '1e' of numeric attribute 'x2' is not a number",
        ),
        (
            DENSE,
            ["1,2,0,maybe"],
            0,
            r"value 'maybe' of attribute 'b' is not one of its declared values \{0, 1\}",
        ),
        (
            DENSE,
            ["1,2,0,1", "{0 1}"],
            1,
            "the first data row is dense but this one is sparse; a file cannot mix",
        ),
        (
            DENSE,
            ["{0 1}", "1,2,0,1"],
            1,
            "the first data row is sparse but this one is dense",
        ),
        (
            DENSE,
            ["{0 1, 4 1}"],
            0,
            r"sparse index 4 is out of range: the file declares 4 attributes \(indices 0 to 3\)",
        ),
        (DENSE, ["{-1 1}"], 0, "sparse index -1 is out of range"),
        (DENSE, ["{0 1}", "{1 2, 1 3}"], 1, "sparse index 1 appears twice"),
        (DENSE, ["{x 1}"], 0, "sparse index 'x' is not an integer"),
        (
            DENSE,
            ["{0 1, 2}"],
            0,
            "sparse entry '2' should be '<attribute index> <value>'",
        ),
        (DENSE, ["{0 1"], 0, "a sparse row must end with '}'"),
        (DENSE, ["{0 1, 2 yes}"], 0, "value 'yes' of attribute 'a' is not one of"),
        (DENSE, ["{1 x}"], 0, "value 'x' of numeric attribute 'x2' is not a number"),
        (DENSE, ["1,'2,0,1"], 0, "unbalanced quotes"),
        (DENSE, ["1,2,?,1"], 0, r"label 'a' is missing \('\?'\)"),
    ],
)
def test_malformed_data_row(tmp_path, attributes, rows, k, message):
    _write(tmp_path, attributes, rows)
    line = _row_line(attributes, k)
    with _raises(_train_path(tmp_path), line, message):
        load_mulan("toy", data_home=tmp_path)


@pytest.mark.parametrize(
    "declaration, message",
    [
        ("s string", "attribute 's' has type string, which is not supported"),
        ("d date 'yyyy-MM-dd'", "attribute 'd' has type date, which is not supported"),
        ("r relational", "attribute 'r' has type relational, which is not supported"),
        ("z blob", "attribute 'z' has an unknown type 'blob'"),
        ("z numeric extra", "attribute 'z' has an unknown type 'numeric extra'"),
        ("z", "attribute 'z' has no type"),
        ("z {a,b", "the values of attribute 'z' must end with '}'"),
        ("z {}", "attribute 'z' declares no values"),
        ("z {a,a}", "the values of attribute 'z' must be non-empty and distinct"),
        ("'z numeric", "unclosed quote"),
        ("{0,1}", "@attribute needs a name and a type"),
        ("'' numeric", "@attribute needs a name and a type"),
        ("x1 numeric", "attribute 'x1' is already declared on line 2"),
    ],
)
def test_malformed_attribute(tmp_path, declaration, message):
    attributes = [*DENSE, declaration]
    _write(tmp_path, attributes, [])
    with _raises(_train_path(tmp_path), len(attributes) + 1, message):
        load_mulan("toy", data_home=tmp_path)


def test_no_data_section(tmp_path):
    folder = _write(tmp_path, DENSE, [])
    text = "@relation toy\n@attribute x numeric\n@attribute a {0,1}\n\n% end\n"
    (folder / "toy-train.arff").write_text(text)
    with _raises(_train_path(tmp_path), 5, "the file ends without an @data line"):
        load_mulan("toy", data_home=tmp_path)


def test_data_before_attributes(tmp_path):
    folder = _write(tmp_path, DENSE, [])
    (folder / "toy-train.arff").write_text("@relation toy\n@data\n1,2\n")
    with _raises(_train_path(tmp_path), 2, "@data comes before any @attribute"):
        load_mulan("toy", data_home=tmp_path)


def test_unknown_header_line(tmp_path):
    folder = _write(tmp_path, DENSE, [])
    (folder / "toy-train.arff").write_text("@relation toy\nhello\n@data\n")
    with _raises(
        _train_path(tmp_path), 2, "expected @relation, @attribute or @data, got 'hello'"
    ):
        load_mulan("toy", data_home=tmp_path)


def test_not_utf8(tmp_path):
    folder = _write(tmp_path, DENSE, [])
    (folder / "toy-train.arff").write_bytes(b"@relation \xff\xfe\n")
    path = re.escape(str(_train_path(tmp_path)))
    with pytest.raises(ValueError, match=f"{path}: not a UTF-8 text file"):
        load_mulan("toy", data_home=tmp_path)


@pytest.mark.parametrize(
    "declaration, message",
    [
        (
            "b numeric",
            r"label 'b' must be a nominal attribute with values \{0,1\}, got numeric",
        ),
        ("b {0,1,2}", r"label 'b' must be a nominal attribute with values \{0,1\}"),
        ("b {no,yes}", r"label 'b' must be a nominal attribute with values \{0,1\}"),
    ],
)
def test_label_not_binary(tmp_path, declaration, message):
    attributes = ["x numeric", "a {0,1}", declaration]
    _write(tmp_path, attributes, ["1,0,yes" if "yes" in declaration else "1,0,1"])
    with _raises(_train_path(tmp_path), 4, message):
        load_mulan("toy", data_home=tmp_path)


def test_label_not_in_arff(tmp_path):
    folder = _write(tmp_path, DENSE, ["1,2,0,1"], labels=["a", "zz", "b"])
    message = re.escape(
        f"{folder / 'toy.xml'} names label(s) ['zz'] that "
    ) + re.escape(f"{folder / 'toy-train.arff'} does not declare as @attribute")
    with pytest.raises(ValueError, match=message):
        load_mulan("toy", data_home=tmp_path)


@pytest.mark.parametrize(
    "xml, message",
    [
        ("<labels><label name='a'>", "not a valid XML file"),
        ("<labels></labels>", "no <label name=...> element"),
        ("<labels><label/></labels>", "a <label> element has no name attribute"),
        (
            "<labels><label name='a'/><label name='a'/></labels>",
            r"label\(s\) \['a'\] are declared more than once",
        ),
    ],
)
def test_malformed_xml(tmp_path, xml, message):
    folder = _write(tmp_path, DENSE, ["1,2,0,1"], xml=xml)
    with pytest.raises(
        ValueError, match=re.escape(f"{folder / 'toy.xml'}: ") + message
    ):
        load_mulan("toy", data_home=tmp_path)


def test_all_needs_the_same_attributes(tmp_path):
    folder = _write(tmp_path, DENSE, ["1,2,0,1"], ["1,2,0,1"])
    other = ["x1 numeric", "x3 numeric", "a {0,1}", "b {0,1}"]
    (folder / "toy-test.arff").write_text(_arff(other, ["1,2,0,1"]))
    message = re.escape(
        f"{folder / 'toy-train.arff'} and {folder / 'toy-test.arff'} declare "
        "different attributes (attribute 2: ('x2', None) vs ('x3', None))"
    )
    with pytest.raises(ValueError, match=message):
        load_mulan("toy", subset="all", data_home=tmp_path)
    # Each part alone is fine.
    assert load_mulan("toy", subset="test", data_home=tmp_path).feature_names[1] == "x3"
    (folder / "toy-test.arff").write_text(_arff([*DENSE, "x9 numeric"], []))
    with pytest.raises(ValueError, match=re.escape("(4 vs 5 attributes)")):
        load_mulan("toy", subset="all", data_home=tmp_path)


# --------------------------------------------------------------------------- #
# Missing files and arguments
# --------------------------------------------------------------------------- #


def test_missing_folder(tmp_path):
    expected = tmp_path / "multilabel" / "emotions" / "emotions.xml"
    with pytest.raises(FileNotFoundError, match=re.escape(str(expected))) as info:
        load_mulan("emotions", data_home=tmp_path)
    message = str(info.value)
    assert "<data_home>/multilabel/emotions/emotions.xml" in message
    assert "emotions-train.arff" in message
    assert "SKMTL_DATA_HOME" in message and "~/skmtl_data" in message
    assert "the data_home argument" in message


@pytest.mark.parametrize("subset", ["test", "all"])
def test_missing_test_file(tmp_path, subset):
    folder = _write(tmp_path, DENSE, ["1,2,0,1"])
    (folder / "toy-test.arff").unlink()
    load_mulan("toy", subset="train", data_home=tmp_path)  # train alone is enough
    with pytest.raises(
        FileNotFoundError, match=re.escape(str(folder / "toy-test.arff"))
    ):
        load_mulan("toy", subset=subset, data_home=tmp_path)


def test_missing_file_names_env_var_source(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMTL_DATA_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"\(from \$SKMTL_DATA_HOME\)"):
        load_mulan("scene")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"name": 3}, TypeError, "name must be a str, got int"),
        ({"name": ""}, ValueError, "name must be the name of a data set folder"),
        ({"name": "../toy"}, ValueError, "name must be the name of a data set folder"),
        ({"name": ".."}, ValueError, "name must be the name of a data set folder"),
        (
            {"subset": "valid"},
            ValueError,
            "subset must be 'train', 'test' or 'all', got 'valid'",
        ),
        (
            {"subset": None},
            ValueError,
            "subset must be 'train', 'test' or 'all', got None",
        ),
        ({"return_X_y": 1}, TypeError, "return_X_y must be a bool, got int"),
    ],
)
def test_invalid_arguments(tmp_path, kwargs, error, message):
    _write(tmp_path, DENSE, ["1,2,0,1"])
    kwargs = {"name": "toy", "data_home": tmp_path, **kwargs}
    with pytest.raises(error, match=message):
        load_mulan(**kwargs)


# --------------------------------------------------------------------------- #
# The real MULAN sets (need SKMTL_DATA_HOME)
# --------------------------------------------------------------------------- #

# name: (train rows, test rows, features after encoding, labels, cardinality of all)
REAL = {
    "emotions": (391, 202, 72, 6, 1.8685),
    "scene": (1211, 1196, 294, 6, 1.0740),
    "yeast": (1500, 917, 103, 14, 4.2371),
    "flags": (129, 65, 43, 7, 3.3918),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_shapes(data_home, name):
    n_train, n_test, n_features, n_labels, cardinality = REAL[name]
    train = load_mulan(name, data_home=data_home)
    test = load_mulan(name, subset="test", data_home=data_home)
    assert train.data.shape == (n_train, n_features)
    assert train.target.shape == (n_train, n_labels)
    assert test.data.shape == (n_test, n_features)
    assert test.target.shape == (n_test, n_labels)
    for bunch in (train, test):
        assert isinstance(bunch.data, np.ndarray) and bunch.data.dtype == np.float64
        assert np.isfinite(bunch.data).all()
        assert set(np.unique(bunch.target)) == {0, 1}
        assert len(bunch.feature_names) == n_features
        assert len(set(bunch.feature_names)) == n_features
        assert len(bunch.target_names) == n_labels
    assert test.feature_names == train.feature_names

    X, Y = load_mulan(name, subset="all", data_home=data_home, return_X_y=True)
    np.testing.assert_array_equal(X, np.vstack([train.data, test.data]))
    np.testing.assert_array_equal(Y, np.vstack([train.target, test.target]))
    assert Y.sum(axis=1).mean() == pytest.approx(cardinality, abs=5e-5)


def _sorted_rows(matrix):
    return matrix[np.lexsort(matrix.T[::-1])]


@pytest.mark.parametrize("name", ["emotions", "yeast", "flags"])
def test_real_all_matches_union_file(data_home, name):
    """These sets also ship <name>.arff, the union (rows in another order)."""
    bunch = load_mulan(name, subset="all", data_home=data_home)
    union, meta = arff.loadarff(data_home / "multilabel" / name / f"{name}.arff")
    numeric = [n for n in meta.names() if meta[n][0] == "numeric"]
    ours = np.column_stack(
        [bunch.data[:, [bunch.feature_names.index(n) for n in numeric]], bunch.target]
    )
    labels = [union[label] == b"1" for label in bunch.target_names]
    theirs = np.column_stack([*(union[n] for n in numeric), *labels])
    np.testing.assert_array_equal(_sorted_rows(ours), _sorted_rows(theirs))


def test_real_emotions_matches_scipy_reader(data_home):
    bunch = load_mulan("emotions", data_home=data_home)
    data, meta = arff.loadarff(
        data_home / "multilabel" / "emotions" / "emotions-train.arff"
    )
    assert meta.names()[:72] == bunch.feature_names
    np.testing.assert_array_equal(
        bunch.data, np.column_stack([data[name] for name in meta.names()[:72]])
    )
    assert bunch.target_names == meta.names()[72:]
    assert bunch.target_names[:2] == ["amazed-suprised", "happy-pleased"]


def test_real_flags_encoding(data_home):
    bunch = load_mulan("flags", data_home=data_home)
    names = bunch.feature_names
    assert names[:10] == [f"landmass={k}" for k in range(1, 7)] + [
        f"zone={k}" for k in range(1, 5)
    ]
    assert names[12:22] == [f"language={k}" for k in range(1, 11)]
    assert names[22:30] == [f"religion={k}" for k in range(8)]
    assert names[-5:] == ["crescent", "triangle", "icon", "animate", "text"]
    assert bunch.target_names == [
        "red",
        "green",
        "blue",
        "yellow",
        "white",
        "black",
        "orange",
    ]
    # One value per row for every one-hot attribute.
    for prefix in ("landmass=", "zone=", "language=", "religion="):
        columns = [k for k, name in enumerate(names) if name.startswith(prefix)]
        np.testing.assert_array_equal(bunch.data[:, columns].sum(axis=1), 1.0)
    # The first training row is 4,1,164,7,8,2,...
    row = dict(zip(names, bunch.data[0], strict=True))
    assert row["landmass=4"] == 1 and row["zone=1"] == 1 and row["area"] == 164
    assert row["language=8"] == 1 and row["religion=2"] == 1
    assert "Flags Dataset" in bunch.DESCR  # the README.txt of the folder


def test_real_yeast_labels_follow_the_arff_order(data_home):
    """yeast.xml lists Class1, Class2, Class3, Class6, ...; the ARFF files
    (and OpenML, and published results) have Class1 ... Class14."""
    bunch = load_mulan("yeast", data_home=data_home)
    assert bunch.target_names == [f"Class{k}" for k in range(1, 15)]
