"""``python -m skmtl``: compare independent, pooled and multi-task models.

See ``python -m skmtl --help`` and :func:`skmtl._cli.main`.
"""

from ._cli import main

# The guard keeps ``pytest --doctest-modules`` (which imports every module)
# from running the command line.
if __name__ == "__main__":
    raise SystemExit(main())
