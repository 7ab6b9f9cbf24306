"""Inference over a chain of link probabilities, in plain numpy.

A probabilistic classifier chain factorises the joint distribution of ``L``
binary labels (taken in chain order) as

.. math::

    P(y \\mid x) = \\prod_{k=1}^{L} P(y_k \\mid x, y_1, \\dots, y_{k-1}).

Every routine here sees the chain only through ``link_proba(k, rows,
prefixes)``: the probability that label ``k`` (chain position) is 1 for the
rows ``rows`` (indices into the current block of samples, shape ``(m,)``)
given the label prefixes ``prefixes`` (shape ``(m, k)``, values 0/1). It
returns an array of shape ``(m,)``. Each routine calls it once per chain
position, on every (row, prefix) pair it needs at that depth: no loop over rows.

The search routines return label vectors in chain order; the decision rules
turn a (weighted) set of candidate label vectors into a prediction.
Candidates are either shared by every row, shape ``(m, L)`` with weights
``(n, m)`` (the exhaustive case), or per row, shape ``(n, m, L)``.
"""

import numpy as np


def _log(p):
    with np.errstate(divide="ignore"):
        return np.log(p)


def joint_proba(link_proba, Y_chain):
    """``P(y = Y_chain[i] | x_i)`` per row: the product of the link probabilities."""
    n, n_labels = Y_chain.shape
    rows = np.arange(n)
    proba = np.ones(n)
    for k in range(n_labels):
        p1 = link_proba(k, rows, Y_chain[:, :k])
        proba *= np.where(Y_chain[:, k] == 1, p1, 1.0 - p1)
    return proba


def all_label_vectors(n_labels):
    """All ``2**n_labels`` vectors; row ``j`` holds the bits of ``j``, bit k label k."""
    codes = np.arange(2**n_labels)
    return ((codes[:, None] >> np.arange(n_labels)) & 1).astype(np.uint8)


def exhaustive(link_proba, n_rows, n_labels):
    """Breadth expansion of the probability tree: the full joint distribution.

    Depth ``k`` evaluates link ``k`` once on all ``n_rows * 2**k`` (row,
    prefix) pairs. Prefix ``j`` at depth ``k`` is the first ``k`` bits of
    ``j``, so the prefixes of depth ``k`` are the first ``2**k`` rows of
    ``all_label_vectors(n_labels)`` and the probabilities double in place.

    Returns
    -------
    proba : ndarray of shape (n_rows, 2**n_labels)
        ``proba[i, j] = P(y = all_label_vectors(n_labels)[j] | x_i)``.
    """
    vectors = all_label_vectors(n_labels)
    proba = np.ones((n_rows, 1))
    for k in range(n_labels):
        width = proba.shape[1]
        rows = np.tile(np.arange(n_rows), width)
        prefixes = np.repeat(vectors[:width, :k], n_rows, axis=0)
        p1 = link_proba(k, rows, prefixes).reshape(width, n_rows).T
        proba = np.hstack([proba * (1.0 - p1), proba * p1])
    return proba


def beam_search(link_proba, n_rows, n_labels, beam_width):
    """Keep the ``beam_width`` most probable prefixes per row at every depth.

    Returns
    -------
    candidates : ndarray of shape (n_rows, b, n_labels), uint8
        The final beam, ``b = min(beam_width, 2**n_labels)``, most probable first.
    log_proba : ndarray of shape (n_rows, b)
        Their exact joint log-probabilities.
    """
    candidates = np.zeros((n_rows, 1, 0), dtype=np.uint8)
    log_proba = np.zeros((n_rows, 1))
    for k in range(n_labels):
        width = candidates.shape[1]
        # Prefix-major (row i of copy j at j * n_rows + i), like exhaustive().
        rows = np.tile(np.arange(n_rows), width)
        prefixes = candidates.transpose(1, 0, 2).reshape(width * n_rows, k)
        p1 = link_proba(k, rows, prefixes).reshape(width, n_rows).T
        scores = np.stack([log_proba + _log(1.0 - p1), log_proba + _log(p1)], axis=2)
        scores = scores.reshape(n_rows, 2 * width)
        keep = np.broadcast_to(np.arange(2 * width), scores.shape)
        if 2 * width > beam_width:
            keep = np.argpartition(-scores, beam_width - 1, axis=1)[:, :beam_width]
        parent, bit = np.divmod(keep, 2)
        # Flat indices: fancy indexing on one axis is much faster than
        # take_along_axis on small trailing axes.
        offsets = np.arange(n_rows)[:, None]
        parent_flat = (parent + offsets * width).ravel()
        kept = candidates.reshape(n_rows * width, k)[parent_flat]
        candidates = np.column_stack([kept, bit.ravel()]).astype(np.uint8)
        candidates = candidates.reshape(n_rows, -1, k + 1)
        log_proba = scores.ravel()[(keep + offsets * 2 * width).ravel()]
        log_proba = log_proba.reshape(n_rows, -1)
    best_first = np.argsort(-log_proba, axis=1, kind="stable")
    log_proba = np.take_along_axis(log_proba, best_first, axis=1)
    candidates = np.take_along_axis(candidates, best_first[:, :, None], axis=1)
    return candidates, log_proba


def ancestral_sampling(link_proba, n_rows, n_labels, n_samples, rng):
    """Draw ``n_samples`` label vectors per row from the chain, label by label.

    The draws walk down the probability tree together: at depth ``k`` the link
    is evaluated once per distinct (row, prefix) node that some draw reached,
    never more than ``n_rows * min(n_samples, 2**k)`` times and usually far
    fewer, since most draws of a row share their prefixes.

    Returns
    -------
    candidates : ndarray of shape (n_rows, m, n_labels), uint8
        The distinct vectors drawn for each row, padded with zero vectors of
        weight 0 up to the largest count ``m``.
    weights : ndarray of shape (n_rows, m)
        Their frequencies among the row's draws (summing to 1 per row).
    """
    node_row = np.arange(n_rows)
    prefixes = np.zeros((n_rows, 0), dtype=np.uint8)
    node_of_draw = np.repeat(node_row, n_samples)
    for k in range(n_labels):
        p1 = link_proba(k, node_row, prefixes)
        bits = rng.random(node_of_draw.size) < p1[node_of_draw]
        child = 2 * node_of_draw + bits
        reached = np.zeros(2 * node_row.size, dtype=bool)
        reached[child] = True
        node_of_draw = (np.cumsum(reached) - 1)[child]
        parent, bit = np.divmod(np.flatnonzero(reached), 2)
        node_row = node_row[parent]
        prefixes = np.column_stack([prefixes[parent], bit]).astype(np.uint8)
    counts = np.bincount(node_of_draw, minlength=node_row.size)
    return _pad_by_row(node_row, prefixes, counts / n_samples, n_rows)


def _pad_by_row(node_row, vectors, weights, n_rows):
    """Per-row vectors (``node_row`` sorted) as padded (n_rows, m, L) arrays."""
    per_row = np.bincount(node_row, minlength=n_rows)
    position = np.arange(node_row.size) - (np.cumsum(per_row) - per_row)[node_row]
    shape = (n_rows, per_row.max())
    candidates = np.zeros((*shape, vectors.shape[1]), dtype=np.uint8)
    padded_weights = np.zeros(shape)
    candidates[node_row, position] = vectors
    padded_weights[node_row, position] = weights
    return candidates, padded_weights


def greedy(link_proba, n_rows, n_labels):
    """Feed the more probable value (1 when ``p >= 0.5``) down the chain.

    Returns
    -------
    labels : ndarray of shape (n_rows, n_labels), uint8
    link_probas : ndarray of shape (n_rows, n_labels)
        ``P(y_k = 1 | x, greedy prefix)`` at each link.
    """
    labels = np.zeros((n_rows, n_labels), dtype=np.uint8)
    probas = np.zeros((n_rows, n_labels))
    rows = np.arange(n_rows)
    for k in range(n_labels):
        probas[:, k] = link_proba(k, rows, labels[:, :k])
        labels[:, k] = probas[:, k] >= 0.5
    return labels, probas


# -- decision rules over weighted candidates ----------------------------------


def normalize_log_weights(log_proba):
    """Weights proportional to ``exp(log_proba)`` summing to 1 per row."""
    weights = np.exp(log_proba - log_proba.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def mode(candidates, weights):
    """The candidate of largest weight per row (the joint mode), shape (n, L)."""
    best = np.argmax(weights, axis=1)
    if candidates.ndim == 2:
        return candidates[best]
    return candidates[np.arange(len(best)), best]


def marginals(candidates, weights):
    """``P(y_l = 1)`` per row under the weights (which sum to 1 per row).

    Clipped to [0, 1]: the weights sum to 1 up to round-off only, and a label
    set in every candidate would otherwise get a probability of 1 + 2e-16.
    """
    if candidates.ndim == 2:
        proba = weights @ candidates
    else:
        proba = np.einsum("nm,nml->nl", weights, candidates)
    return np.clip(proba, 0.0, 1.0)


def size_marginals(candidates, weights):
    """``P(y = 0)`` and ``Delta[:, l, s-1] = P(y_l = 1, |y| = s)``, s = 1..L."""
    n_labels = candidates.shape[-1]
    sizes = candidates.sum(axis=-1, dtype=np.intp)
    one_hot = sizes[..., None] == np.arange(1, n_labels + 1)
    if candidates.ndim == 2:
        p_zero = weights[:, sizes == 0].sum(axis=1)
        joint = candidates[:, :, None] * one_hot[:, None, :]
        delta = weights @ joint.reshape(len(candidates), -1)
        return p_zero, delta.reshape(-1, n_labels, n_labels)
    p_zero = np.where(sizes == 0, weights, 0.0).sum(axis=1)
    # One bincount over (row, size, label) triples: far faster than a batched
    # matmul of tiny (L, m) @ (m, L) products.
    n = weights.shape[0]
    cell = (np.arange(n)[:, None] * (n_labels + 1) + sizes)[:, :, None] * n_labels
    cell = cell + np.arange(n_labels)
    mass = candidates * weights[:, :, None]
    delta = np.bincount(
        cell.ravel(), weights=mass.ravel(), minlength=n * (n_labels + 1) * n_labels
    ).reshape(n, n_labels + 1, n_labels)
    return p_zero, delta[:, 1:, :].transpose(0, 2, 1)


def gfm(p_zero, delta):
    """The F-measure-optimal prediction (GFM, Dembczyński et al., NIPS 2011).

    For a prediction ``h`` with ``|h| = k > 0``, the expected F1 is
    ``sum_l h_l E[l, k]`` with ``E[l, k] = sum_s Delta[l, s] * 2 / (s + k)``,
    so the best ``h`` of size ``k`` takes the ``k`` largest ``E[:, k]``. The
    empty prediction scores ``P(y = 0)`` (F1 = 1 when both are empty).

    Parameters
    ----------
    p_zero : ndarray of shape (n,)
    delta : ndarray of shape (n, L, L)
        ``delta[i, l, s - 1] = P(y_l = 1, |y| = s | x_i)``.

    Returns
    -------
    labels : ndarray of shape (n, L), uint8
    expected_f1 : ndarray of shape (n,)
    """
    n, n_labels, _ = delta.shape
    sizes = np.arange(1, n_labels + 1)
    weight = 2.0 / (sizes[:, None] + sizes[None, :])
    expected = delta @ weight
    # Row k - 1 of by_size holds E[:, k] sorted decreasingly; the best value of
    # size k is the sum of its first k entries.
    by_size = np.sort(expected.transpose(0, 2, 1), axis=2)[:, :, ::-1]
    value = np.cumsum(by_size, axis=2)[:, sizes - 1, sizes - 1]
    best = np.argmax(value, axis=1)
    best_value = value[np.arange(n), best]
    empty = p_zero >= best_value
    chosen = expected[np.arange(n), :, best]
    order = np.argsort(-chosen, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(n_labels)[None, :], axis=1)
    labels = (ranks <= best[:, None]) & ~empty[:, None]
    return labels.astype(np.uint8), np.where(empty, p_zero, best_value)
