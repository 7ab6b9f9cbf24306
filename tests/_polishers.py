"""A check shared by the tests of the Newton polishers of FISTA
(``_active_newton`` on the support, ``_factored_newton`` on the rank)."""

import pytest

from skmtl.solvers import _fista as fista


def assert_newton_steps_save_iterations(
    smooth, penalty, start, polisher_module, monkeypatch
):
    """FISTA from ``start`` to a gap of 1e-10, with the module's Newton steps
    and without them (``MAX_STEPS = 0``): the same certified optimum, in
    more than 3x fewer iterations with them."""
    with_newton, n_with = fista._run(smooth, penalty, start, None, 1e-10, 100_000)
    monkeypatch.setattr(polisher_module, "MAX_STEPS", 0)
    plain, n_plain = fista._run(smooth, penalty, start, None, 1e-10, 100_000)
    for certified in (with_newton, plain):
        assert certified.gap <= 1e-10 * certified.primal
    assert with_newton.primal == pytest.approx(plain.primal, rel=2e-10)
    assert 3 * n_with < n_plain
