"""Reading data sets larger than memory, one chunk of rows at a time.

The chunks feed :meth:`~skmtl.TaskStatistics.from_data` or an estimator's
``partial_fit`` (see :ref:`beyond_memory`).
"""

from ._chunks import iter_chunks

__all__ = ["iter_chunks"]
