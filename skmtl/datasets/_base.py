"""Where skmtl looks for data sets on disk."""

import os
from pathlib import Path

DATA_HOME_ENV = "SKMTL_DATA_HOME"
DEFAULT_DATA_HOME = "~/skmtl_data"


def _resolve_data_home(data_home=None):
    """Return ``(path, source)``; ``source`` says where the folder came from."""
    if data_home is not None:
        return Path(data_home).expanduser(), "the data_home argument"
    value = os.environ.get(DATA_HOME_ENV)
    if value:
        return Path(value).expanduser(), f"${DATA_HOME_ENV}"
    return Path(DEFAULT_DATA_HOME).expanduser(), f"the default {DEFAULT_DATA_HOME}"


def get_data_home(data_home=None):
    """Return the folder that holds skmtl's data sets.

    The folder is, in order of precedence: the ``data_home`` argument, the
    ``SKMTL_DATA_HOME`` environment variable, or ``~/skmtl_data``. A leading
    ``~`` is expanded. Nothing is created or downloaded.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder to use. When None, ``$SKMTL_DATA_HOME`` is used if set and
        non-empty, otherwise ``~/skmtl_data``.

    Returns
    -------
    data_home : pathlib.Path
        The data folder. It may not exist.

    Examples
    --------
    >>> from skmtl.datasets import get_data_home
    >>> get_data_home("/tmp/my_data").as_posix()
    '/tmp/my_data'
    """
    return _resolve_data_home(data_home)[0]


def import_pandas(purpose):
    """Import pandas, which skmtl needs only for DataFrame output."""
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - pandas is in the test extras
        raise ImportError(
            f"{purpose} needs pandas, which is not installed: pip install pandas."
        ) from exc
    return pandas
