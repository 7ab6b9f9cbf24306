"""A small reader of ARFF files (Weka's format, as the MULAN data sets use it).

Supported: ``@relation``, ``@attribute`` and ``@data`` in any case; ``%`` comment
lines; names and values quoted with ``'`` or ``"`` (backslash escapes inside);
numeric, real and integer attributes; nominal attributes ``{a, b, c}``; ``?``
for a missing value; dense rows (comma-separated values) and sparse rows
(``{index value, ...}``, 0-based indices). String, date and relational
attributes are refused. ``scipy.io.arff`` cannot read sparse files, hence this.

Every error is a ``ValueError`` that names the file and the line.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

MISSING = "?"
_NUMERIC_TYPES = {"numeric", "real", "integer"}
_UNSUPPORTED_TYPES = {"string", "date", "relational"}
_QUOTES = "'\""
_QUOTED = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""")
# One comma-separated field (quoted parts may hold commas), then its separator.
_FIELD = re.compile(
    r"""\s*((?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,'"])*?)\s*(,|$)""", re.DOTALL
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


@dataclass(frozen=True)
class Attribute:
    """One ``@attribute`` line.

    ``values`` is None for a numeric attribute, else the declared nominal
    values in order; ``line`` is the 1-based line of the declaration.
    """

    name: str
    values: tuple | None
    line: int


@dataclass
class ArffData:
    """The content of an ARFF file, before any encoding of the nominal values.

    ``numeric`` holds the numeric attributes in declared order (NaN where
    missing): an ndarray, or a CSR matrix for a sparse file. ``codes`` maps
    each nominal attribute to the position of its value in ``values`` per row,
    -1 where missing. ``row_lines`` is the 1-based line of each data row.
    """

    path: Path
    relation: str
    attributes: list
    numeric: object
    codes: dict
    row_lines: np.ndarray
    sparse: bool

    @property
    def n_rows(self):
        return len(self.row_lines)


def arff_error(path, line, message):
    """The ValueError of every malformed file: where, then what."""
    return ValueError(f"{path}, line {line}: {message}")


def read_arff(path):
    """Parse the ARFF file at ``path`` into an :class:`ArffData`."""
    path = Path(path)
    lines = _read_lines(path)
    relation, attributes, n_header = _parse_header(lines, path)
    rows, row_lines = _data_rows(lines, n_header)
    sparse = bool(rows) and rows[0].startswith("{")
    for row, line in zip(rows, row_lines, strict=True):
        if row.startswith("{") != sparse:
            kinds = ("sparse", "dense") if sparse else ("dense", "sparse")
            raise arff_error(
                path,
                line,
                "the first data row is {} but this one is {}; a file cannot mix "
                "dense and sparse rows.".format(*kinds),
            )
    parse = _parse_sparse if sparse else _parse_dense
    row_lines = np.asarray(row_lines, dtype=np.int64)
    numeric, codes = parse(rows, row_lines, attributes, path)
    return ArffData(path, relation, attributes, numeric, codes, row_lines, sparse)


def _read_lines(path):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a UTF-8 text file ({exc}).") from exc
    return text.splitlines()


# --------------------------------------------------------------------------- #
# Header
# --------------------------------------------------------------------------- #


def _parse_header(lines, path):
    """Return ``(relation, attributes, line number of @data)``."""
    relation, attributes, seen = "", [], {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        keyword, rest = [*line.split(None, 1), ""][:2]
        keyword = keyword.lower()
        if keyword == "@data":
            if not attributes:
                raise arff_error(path, number, "@data comes before any @attribute.")
            return relation, attributes, number
        if keyword == "@relation":
            relation = _unquote(rest.strip())
        elif keyword == "@attribute":
            attribute = _parse_attribute(rest.strip(), path, number)
            if attribute.name in seen:
                raise arff_error(
                    path,
                    number,
                    f"attribute {attribute.name!r} is already declared on line "
                    f"{seen[attribute.name]}.",
                )
            seen[attribute.name] = number
            attributes.append(attribute)
        else:
            raise arff_error(
                path,
                number,
                f"expected @relation, @attribute or @data, got {line[:60]!r}.",
            )
    raise arff_error(path, len(lines), "the file ends without an @data line.")


def _parse_attribute(text, path, number):
    name, type_text = _split_name(text, path, number)
    if not type_text:
        raise arff_error(path, number, f"attribute {name!r} has no type.")
    if type_text.startswith("{"):
        return Attribute(name, _nominal_values(type_text, name, path, number), number)
    kind = type_text.split()[0].lower()
    if kind in _NUMERIC_TYPES and type_text.lower() == kind:
        return Attribute(name, None, number)
    expected = "numeric, real, integer or nominal {...} attributes"
    if kind in _UNSUPPORTED_TYPES:
        raise arff_error(
            path,
            number,
            f"attribute {name!r} has type {kind}, which is not supported: only "
            f"{expected} are read.",
        )
    raise arff_error(
        path,
        number,
        f"attribute {name!r} has an unknown type {type_text!r}; expected {expected}.",
    )


def _split_name(text, path, number):
    """``name type`` -> (name, type); the name may be quoted and hold spaces."""
    if text[:1] in _QUOTES:
        match = _QUOTED.match(text)
        if match is None:
            raise arff_error(path, number, f"unclosed quote in {text!r}.")
        name, rest = _unquote(match.group()), text[match.end() :]
    else:
        match = re.match(r"[^\s{]*", text)
        name, rest = match.group(), text[match.end() :]
    if not name:
        raise arff_error(path, number, "@attribute needs a name and a type.")
    return name, rest.strip()


def _nominal_values(text, name, path, number):
    if not text.endswith("}"):
        raise arff_error(
            path, number, f"the values of attribute {name!r} must end with '}}'."
        )
    values = tuple(_unquote(v) for v in _split_fields(text[1:-1], path, number))
    if values == ("",):
        raise arff_error(path, number, f"attribute {name!r} declares no values.")
    if "" in values or len(set(values)) != len(values):
        raise arff_error(
            path,
            number,
            f"the values of attribute {name!r} must be non-empty and distinct, "
            f"got {list(values)}.",
        )
    return values


# --------------------------------------------------------------------------- #
# Fields
# --------------------------------------------------------------------------- #


def _split_fields(text, path, number):
    """Split on the commas outside quotes; fields are stripped, quotes kept."""
    if not any(quote in text for quote in _QUOTES):
        fields = text.split(",")
        # Most rows have no blanks: skip a strip per value there.
        if " " in text or "\t" in text:
            fields = [field.strip() for field in fields]
        return fields
    fields, position = [], 0
    while True:
        match = _FIELD.match(text, position)
        if match is None:
            raise arff_error(path, number, f"unbalanced quotes in {text[:60]!r}.")
        fields.append(match.group(1))
        if not match.group(2):
            return fields
        position = match.end()


def _unquote(field):
    if len(field) >= 2 and field[0] in _QUOTES and field[-1] == field[0]:
        return _ESCAPE.sub(r"\1", field[1:-1])
    return field


def _split_row(row, path, number):
    """The values of a dense row, or the entries of a sparse one."""
    fields = _split_fields(row, path, number)
    if any(quote in row for quote in _QUOTES):
        return [_unquote(field) for field in fields]
    return fields


# --------------------------------------------------------------------------- #
# Data
# --------------------------------------------------------------------------- #


def _data_rows(lines, n_header):
    rows, row_lines = [], []
    for number, raw in enumerate(lines[n_header:], start=n_header + 1):
        row = raw.strip()
        if row and not row.startswith("%"):
            rows.append(row)
            row_lines.append(number)
    return rows, row_lines


def _parse_dense(rows, row_lines, attributes, path):
    numeric_columns = [j for j, a in enumerate(attributes) if a.values is None]
    nominal_columns = [j for j, a in enumerate(attributes) if a.values is not None]
    parsed = _read_plain_rows(rows, numeric_columns, nominal_columns, len(attributes))
    if parsed is None:
        cells = _dense_cells(rows, row_lines, len(attributes), path)

        def locate(k):
            row, column = divmod(k, len(numeric_columns))
            return row_lines[row], attributes[numeric_columns[column]].name

        numeric = _to_float(cells[:, numeric_columns].ravel(), locate, path)
        numeric = numeric.reshape(len(rows), len(numeric_columns))
        parsed = numeric, cells[:, nominal_columns]
    numeric, nominal = parsed
    codes = {
        attributes[j].name: _to_codes(nominal[:, k], attributes[j], row_lines, path)
        for k, j in enumerate(nominal_columns)
    }
    return numeric, codes


def _read_plain_rows(rows, numeric_columns, nominal_columns, n_attributes):
    """Fast path: NumPy's C reader, when no row has quotes or a missing value.

    Returns ``(numeric values, nominal cells)``, or None for the general path,
    which also says where a malformed value is.
    """
    if not rows or any(
        "'" in row or '"' in row or row.count(",") != n_attributes - 1 for row in rows
    ):
        return None
    read = functools.partial(np.loadtxt, rows, delimiter=",", comments=None, ndmin=2)
    try:
        numeric = read(usecols=numeric_columns, dtype=np.float64)
    except ValueError:
        return None
    return numeric, np.char.strip(read(usecols=nominal_columns, dtype=str))


def _dense_cells(rows, row_lines, n_attributes, path):
    """All values of the dense rows as a 2-D array of str, checked for count."""
    table = [
        _split_row(row, path, line) for row, line in zip(rows, row_lines, strict=True)
    ]
    lengths = np.fromiter(map(len, table), dtype=np.int64, count=len(table))
    bad = np.flatnonzero(lengths != n_attributes)
    if bad.size:
        raise arff_error(
            path,
            row_lines[bad[0]],
            f"expected {n_attributes} comma-separated values (one per @attribute), "
            f"got {lengths[bad[0]]}.",
        )
    return np.array(table, dtype=str).reshape(len(rows), n_attributes)


def _parse_sparse(rows, row_lines, attributes, path):
    entries, counts = [], []
    for row, line in zip(rows, row_lines, strict=True):
        row_entries = _sparse_entries(row, path, line)
        entries.extend(row_entries)
        counts.append(len(row_entries))
    entry_rows = np.repeat(np.arange(len(rows)), counts)
    lines = row_lines[entry_rows]
    indices = _sparse_indices([e[0] for e in entries], lines, len(attributes), path)
    _check_no_repeats(entry_rows, indices, lines, len(attributes), path)
    values = np.array([e[1] for e in entries], dtype=str)
    is_numeric = np.array([a.values is None for a in attributes])
    numeric_entries = is_numeric[indices]
    numeric = _sparse_numeric(
        (entry_rows, indices, values, lines),
        numeric_entries,
        (len(rows), attributes, path),
    )
    codes = _sparse_codes(
        (entry_rows, indices, values, lines),
        ~numeric_entries,
        (len(rows), attributes, path),
    )
    return numeric, codes


def _sparse_numeric(entries, selected, context):
    rows, indices, values, lines = (array[selected] for array in entries)
    n_rows, attributes, path = context
    is_numeric = np.array([a.values is None for a in attributes])
    column = np.cumsum(is_numeric) - 1
    numbers = _to_float(values, lambda k: (lines[k], attributes[indices[k]].name), path)
    numeric = sp.csr_matrix(
        (numbers, (rows, column[indices])), shape=(n_rows, int(is_numeric.sum()))
    )
    numeric.eliminate_zeros()
    return numeric


def _sparse_codes(entries, selected, context):
    """Codes of the nominal attributes, one attribute at a time.

    An omitted value gets code 0: Weka stores it as 0, which for a nominal
    attribute is the index of its first declared value.
    """
    rows, indices, values, lines = (array[selected] for array in entries)
    n_rows, attributes, path = context
    codes = {a.name: np.zeros(n_rows, dtype=np.int64) for a in attributes if a.values}
    order = np.argsort(indices, kind="stable")
    starts = np.flatnonzero(np.diff(indices[order])) + 1
    for group in np.split(order, starts) if order.size else []:
        attribute = attributes[indices[group[0]]]
        found = _to_codes(values[group], attribute, lines[group], path)
        codes[attribute.name][rows[group]] = found
    return codes


def _sparse_entries(row, path, line):
    """``{3 1.5, 7 a}`` -> ``[("3", "1.5"), ("7", "a")]``."""
    if not row.endswith("}"):
        raise arff_error(path, line, "a sparse row must end with '}'.")
    inner = row[1:-1].strip()
    if not inner:
        return []
    entries = []
    for field in _split_fields(inner, path, line):
        parts = field.split(None, 1)
        if len(parts) != 2:
            raise arff_error(
                path,
                line,
                f"sparse entry {field!r} should be '<attribute index> <value>'.",
            )
        entries.append((parts[0], _unquote(parts[1].strip())))
    return entries


def _sparse_indices(texts, entry_lines, n_attributes, path):
    texts = np.array(texts, dtype=str)
    try:
        indices = texts.astype(np.int64)
    except ValueError:
        for text, line in zip(texts, entry_lines, strict=True):
            if not text.lstrip("+-").isdigit():
                raise arff_error(
                    path, line, f"sparse index {str(text)!r} is not an integer."
                ) from None
        raise
    bad = np.flatnonzero((indices < 0) | (indices >= n_attributes))
    if bad.size:
        raise arff_error(
            path,
            entry_lines[bad[0]],
            f"sparse index {indices[bad[0]]} is out of range: the file declares "
            f"{n_attributes} attributes (indices 0 to {n_attributes - 1}).",
        )
    return indices


def _check_no_repeats(entry_rows, indices, entry_lines, n_attributes, path):
    keys = entry_rows * n_attributes + indices
    order = np.argsort(keys, kind="stable")
    repeated = np.flatnonzero(np.diff(keys[order]) == 0)
    if repeated.size:
        k = order[repeated[0] + 1]
        raise arff_error(
            path, entry_lines[k], f"sparse index {indices[k]} appears twice in the row."
        )


def _to_float(cells, locate, path):
    """Strings -> float64, ``?`` -> NaN; ``locate(k)`` -> (line, name) of cell k."""
    cells = np.where(cells == MISSING, "nan", cells)
    try:
        return cells.astype(np.float64)
    except ValueError:
        pass
    # NumPy does not say which value failed: find it, one value at a time.
    for k, cell in enumerate(cells):
        try:
            float(cell)
        except ValueError:
            line, name = locate(k)
            raise arff_error(
                path,
                line,
                f"value {str(cell)!r} of numeric attribute {name!r} is not a number.",
            ) from None
    raise AssertionError(
        "unreachable: NumPy and float() parse alike"
    )  # pragma: no cover


def _to_codes(cells, attribute, lines, path):
    """Nominal strings -> index into ``attribute.values``; ``?`` -> -1."""
    lookup = {value: k for k, value in enumerate(attribute.values)}
    lookup[MISSING] = -1
    unique, inverse = np.unique(cells, return_inverse=True)
    unknown = np.array([value not in lookup for value in unique], dtype=bool)
    if unknown.any():
        k = np.flatnonzero(unknown[inverse.ravel()])[0]
        declared = "{" + ", ".join(attribute.values) + "}"
        raise arff_error(
            path,
            lines[k],
            f"value {str(cells[k])!r} of attribute {attribute.name!r} is not one of "
            f"its declared values {declared}.",
        )
    mapped = np.array([lookup[value] for value in unique], dtype=np.int64)
    return mapped[inverse.ravel()]
