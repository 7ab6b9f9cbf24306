"""Helpers shared by the benchmark scripts: timing, machine description, tables."""

import datetime
import gc
import os
import platform
import time
from pathlib import Path

import numpy as np

DEFAULT_DATA_HOME = Path(__file__).resolve().parents[2] / "shared" / "data"


def data_home():
    """``$SKMTL_DATA_HOME``, else ``../shared/data`` next to the repository."""
    return Path(os.environ.get("SKMTL_DATA_HOME", DEFAULT_DATA_HOME))


def time_calls(fn, repeat, warmup=1):
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` timed times.

    Returns the list of wall-clock times (seconds) and the last result.
    Garbage collection is done before each timed call, not during it.
    """
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return times, result


def alternating_median_times(fits, repeat):
    """Median wall time of each zero-argument callable in ``fits``, called in
    turn ``repeat`` times (alternating, so that a change of load hits all)."""
    times = [[] for _ in fits]
    for _ in range(repeat):
        for fit, spent in zip(fits, times, strict=True):
            start = time.perf_counter()
            fit()
            spent.append(time.perf_counter() - start)
    return [float(np.median(spent)) for spent in times]


def relative_difference(a, b):
    """``|a - b| / max(|a|, |b|)`` (0 when both are 0)."""
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def markdown_table(header, rows):
    """A GitHub markdown table from a header and rows of already formatted cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _blas_threads():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    import scipy.linalg  # noqa: F401  (load scipy's BLAS too)

    parts = [
        f"{info.get('internal_api')} {info.get('version')} "
        f"({Path(info['filepath']).name}): {info['num_threads']} threads"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]
    return "; ".join(parts) or "no BLAS found by threadpoolctl"


def machine_info():
    """Machine, library versions and BLAS threads, as (name, value) pairs."""
    import cvxpy
    import pandas
    import scipy
    import sklearn

    import skmtl

    return [
        ("date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("CPU", _cpu_model()),
        ("cores (os.cpu_count)", str(os.cpu_count())),
        ("load average at start (1, 5, 15 min)", load_average()),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("scikit-learn", sklearn.__version__),
        ("cvxpy", f"{cvxpy.__version__} (Clarabel)"),
        ("pandas", pandas.__version__),
        ("skmtl", skmtl.__version__),
        ("BLAS", _blas_threads()),
        (
            "OPENBLAS_NUM_THREADS / OMP_NUM_THREADS",
            f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')} / "
            f"{os.environ.get('OMP_NUM_THREADS', 'unset')}",
        ),
    ]


def load_average():
    try:
        return ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(text, marker, path=RESULTS):
    """Put ``text`` into RESULTS.md between ``<!-- marker -->`` and its end marker.

    For the benchmarks run on their own: their section is replaced, the rest
    of the file (written by ``run_all``) is kept.
    """
    start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    old = path.read_text()
    block = f"{start}\n{text}\n{end}"
    if start in old:
        before, rest = old.split(start, 1)
        new = before + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    path.write_text(new)
