"""The knowledge index: chunks in Chroma (dense) plus an in-memory BM25 (lexical).

Builds are blue/green: a new collection is filled (re-using the embeddings of unchanged
chunks), then one manifest write makes it active; the previous one is kept for readers that
still hold it and dropped by the next build. A build that dies half-way leaves the previous
collection active and usable; its leftovers are swept by the next build.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .catalogue import Catalogue, build_catalogue
from .chunking import build_chunks
from .documents import Chunk, ErrorCode, Excerpt
from .embedders import Embedder, embed_batches
from .durations import scan_chunks
from .errors import (IndexMismatchError, IndexMissingError, IndexUnavailableError, KnowledgeError,
                     StaleSnapshotError)
from .domain_lexicon import DomainLexicon, derive_lexicon
from .lexical import BM25Index, CompiledLexicon, compile_lexicon, tokenize, tokenizer_fingerprint
from .loaders import load_paths

DEFAULT_CORPUS = Path(__file__).parent / "corpus"
_BATCH = 256  # texts a batch to the encoder
_ADD_BATCH = 1024  # chunks an add to Chroma
_PAGE = 2000  # records per read when loading: each page is a transient copy of its texts and metadata
CATALOGUE_KEY = "catalogue"  # the build's catalogue as JSON, in the metadata of its side collection
LEXICON_KEY = "lexicon"  # the build's domain lexicon as JSON, likewise
# The catalogue and lexicon of a build live in the metadata of a side collection that holds no records,
# not in the searched collection's: Chroma reads a collection's metadata on every query, and at 100k chunks
# the catalogue is about 13 MB of JSON, which made each dense query take 100+ ms (2.5 ms without it).
MANIFEST_TTL = 1.0  # seconds between checks for a build made by another process


@dataclass(frozen=True)
class Manifest:
    collection: str
    embedder: str
    corpus_hash: str
    chunk_count: int
    built_at: float
    sources: list[str]


LOCAL_DENSE_MAX = 20_000  # chunks; 20k x 512 float32 is 40 MB per worker


@dataclass
class _Loaded:
    """One active collection as read into memory, with the lookups derived from it."""

    name: str
    collection: Any
    chunks: list[Chunk]
    bm25: BM25Index
    positions: dict[str, int]
    stating: dict[str, list[Chunk]] = field(default_factory=dict)  # rule phrase -> chunks, filled on use
    topic_counts: list[tuple[str, int]] | None = None  # parent topics by chunk count, filled on use
    vectors: np.ndarray | None = None  # unit-length rows in chunk order, for exact in-process dense search
    catalogue: Catalogue | None = None  # the build's error codes and menu paths, read on first use
    lexicon: CompiledLexicon | None = None  # the build's domain lexicon: its passages were analysed with it


@dataclass(frozen=True)
class BuildReport:
    manifest: Manifest
    added: int
    removed: int
    reused: int
    embedded: int
    seconds: float
    unchanged: bool
    duration_rules: int = 0  # sentences read as duration rules (knowledge.durations)
    duration_unparsed: int = 0  # sentences with a duration not read as a rule
    error_codes: int = 0  # distinct error codes in the build's catalogue (knowledge.catalogue)
    menu_paths: int = 0  # distinct menu paths in it
    lexicon_terms: int = 0  # terms of the build's derived domain lexicon (knowledge.domain_lexicon)
    lexicon_folds: int = 0  # English names it folds onto the documents' Chinese terms


def make_client(data_dir: Path | None = None, chroma_url: str | None = None):
    """An embedded PersistentClient in ``data_dir``, or an HttpClient for ``chroma_url``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url)
        if url.scheme not in {"http", "https"} or not url.hostname:
            raise KnowledgeError(f"chroma URL {chroma_url!r} must look like http://host:port")
        try:
            return chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                       ssl=url.scheme == "https", settings=settings)
        except Exception as exc:  # chromadb raises plain ValueError/ConnectionError types here
            raise KnowledgeError(f"cannot reach the Chroma server at {chroma_url}: {exc}") from exc
    if data_dir is None:
        raise KnowledgeError("give a data directory or a Chroma server URL")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)
    except OSError as exc:  # a file in the way, no permission, read-only disk
        raise KnowledgeError(f"cannot use data directory {data_dir}: {exc.strerror or exc}") from exc


def _to_metadata(chunk: Chunk, tokens: list[str]) -> dict[str, Any]:
    return {
        "title": chunk.title, "menu_path": chunk.menu_path or "", "parent_topic": chunk.parent_topic or "",
        "error_codes": json.dumps([c.model_dump() for c in chunk.error_codes]),
        "origins": json.dumps(chunk.origins, ensure_ascii=False), "cut_start": chunk.cut_start,
        "cut_end": chunk.cut_end, "url": chunk.url or "", "language": chunk.language, "tokens": " ".join(tokens),
    }


def _from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        id=chunk_id, text=text, origins=json.loads(meta["origins"]), title=meta["title"],
        menu_path=meta["menu_path"] or None, parent_topic=meta["parent_topic"] or None,
        error_codes=[ErrorCode(**c) for c in json.loads(meta["error_codes"])],
        cut_start=bool(meta["cut_start"]), cut_end=bool(meta["cut_end"]), url=meta["url"] or None,
        language=meta.get("language") or "zh")


RELEASE_AFTER = 5000  # chunks: a build or load this large hands its freed heap back (see below)


def _release_free_memory(chunks: int) -> None:
    """Hand the heap that a large build or load freed back to the system. Chroma's threads allocate in
    malloc arenas of their own, which keep freed pages (a 100k-chunk load left about 200 MB so); glibc's
    malloc_trim returns them. Elsewhere (another C library) this does nothing."""
    import ctypes

    if chunks < RELEASE_AFTER:
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def corpus_hash(chunks: list[Chunk]) -> str:
    """Covers the chunks and the lexical analysis their stored tokens came from."""
    digest = hashlib.sha256(tokenizer_fingerprint().encode())
    for chunk in sorted(chunks, key=lambda c: c.id):
        digest.update(chunk.model_dump_json().encode("utf-8"))
    return digest.hexdigest()[:32]


class KnowledgeIndex:
    """Open with a ready chromadb client; heavy loading happens on first search (``warm_up``)."""

    def __init__(self, client: Any, embedder: Embedder, namespace: str = "partner-rules") -> None:
        self._client = client
        self.embedder = embedder
        self.namespace = namespace
        self._manifest_name = f"{namespace}-manifest"
        self._loaded: _Loaded | None = None
        self._checked = 0.0

    # ---- manifest -------------------------------------------------------------------------
    def manifest(self) -> Manifest | None:
        """The active build, or None when none was ever built; IndexUnavailableError when the store
        cannot be asked (a Chroma server down): that is not "no index"."""
        from chromadb.errors import NotFoundError

        try:
            meta = self._client.get_collection(self._manifest_name).metadata or {}
        except NotFoundError:
            return None
        except Exception as exc:  # connection refused, timeouts, a store folder gone: chromadb has no common base
            raise IndexUnavailableError(f"the index store cannot be read: {exc}") from exc
        if "collection" not in meta:
            return None
        return Manifest(collection=meta["collection"], embedder=meta["embedder"],
                        corpus_hash=meta["corpus_hash"], chunk_count=int(meta["chunk_count"]),
                        built_at=float(meta["built_at"]), sources=json.loads(meta["sources"]))

    def _write_manifest(self, manifest: Manifest) -> None:
        collection = self._client.get_or_create_collection(self._manifest_name, embedding_function=None)
        collection.modify(metadata={
            "collection": manifest.collection, "embedder": manifest.embedder,
            "corpus_hash": manifest.corpus_hash, "chunk_count": manifest.chunk_count,
            "built_at": manifest.built_at, "sources": json.dumps(manifest.sources, ensure_ascii=False)})

    # ---- annotations: records other stages attach to the active index ----------------------
    def annotate(self, key: str, value: dict[str, Any]) -> None:
        """Attach a JSON record to the active index (the evidence stage stores its calibration here).

        Kept with the manifest, so it lives where the index lives (embedded or on a Chroma server) and
        the next build, which writes a new manifest, drops it."""
        manifest = self.manifest()
        if manifest is None:
            raise IndexMissingError("no index has been built yet: run `partner-assistant index build`")
        collection = self._client.get_collection(self._manifest_name)
        meta = dict(collection.metadata or {})
        meta[f"note.{key}"] = json.dumps({"collection": manifest.collection, "value": value}, ensure_ascii=False)
        collection.modify(metadata=meta)

    def annotation(self, key: str) -> dict[str, Any] | None:
        """The record attached to the active index under ``key``; None if absent or from another build."""
        try:
            meta = self._client.get_collection(self._manifest_name).metadata or {}
        except Exception:  # chromadb raises NotFoundError/ValueError depending on the backend
            return None
        raw = meta.get(f"note.{key}")
        if not raw or meta.get("collection") is None:
            return None
        record = json.loads(raw)
        return record["value"] if record.get("collection") == meta["collection"] else None

    @property
    def active_collection(self) -> str:
        """The name of the collection searches read (changes with every build)."""
        return self._state().name

    # ---- build ----------------------------------------------------------------------------
    def build(self, paths: list[Path] | None = None, excerpts: list[Excerpt] | None = None,
              force: bool = False) -> BuildReport:
        started = time.perf_counter()
        paths = paths or [DEFAULT_CORPUS]
        items = excerpts if excerpts is not None else load_paths(paths)  # all input errors happen here
        chunks = build_chunks(items)
        del items  # the chunks hold what the build needs; at 100k excerpts the list is a few hundred MB
        if not chunks:
            raise KnowledgeError("the sources hold no indexable text (only site chrome or blank lines)")
        digest = corpus_hash(chunks)
        sources = [str(p) for p in paths]
        old = self.manifest()
        if old and not force and old.corpus_hash == digest and old.embedder == self.embedder.name:
            durations = scan_chunks(chunks)
            catalogue = build_catalogue(chunks)
            return BuildReport(old, 0, 0, old.chunk_count, 0, time.perf_counter() - started, True,
                               len(durations.rules), len(durations.unparsed),
                               len({c.code for c in catalogue.codes}), len({m.menu_path for m in catalogue.menus}))

        reuse: dict[str, np.ndarray] = {}
        old_ids: set[str] = set()
        if old is not None:
            try:
                previous = self._client.get_collection(old.collection)
                old_ids = set(previous.get(include=[])["ids"])
                if old.embedder == self.embedder.name:
                    wanted = [c.id for c in chunks if c.id in old_ids]
                    for start in range(0, len(wanted), 1000):
                        got = previous.get(ids=wanted[start:start + 1000], include=["embeddings"])
                        reuse.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
            except Exception:
                reuse = {}
        self._sweep(keep={old.collection} if old else set())

        embedded = 0
        # A text that several chunks share (a banner, a repeated notice) is embedded once: each batch
        # encodes the texts no earlier batch did, planned up front so that batches can be encoded ahead.
        batches = [chunks[start:start + _BATCH] for start in range(0, len(chunks), _BATCH)]
        counts = Counter(c.text for c in chunks if c.id not in reuse)
        planned: set[str] = set()
        plan: list[list[str]] = []
        for batch in batches:
            texts = [c.text for c in batch if c.id not in reuse and c.text not in planned]
            texts = list(dict.fromkeys(texts))
            planned.update(texts)
            plan.append(texts)
        del planned
        shared: dict[str, np.ndarray] = {}
        # Started here: for a large build the encoder's workers start and encode ahead while this process
        # scans durations, derives the lexicon and builds the catalogue (seconds at 100k chunks, which
        # otherwise ran before or after the encoding, with the workers idle or not started yet).
        encoded = embed_batches(self.embedder, plan)
        name = f"{self.namespace}-{uuid.uuid4().hex[:12]}"
        try:
            durations = scan_chunks(chunks)
            # The domain lexicon is read from these documents; their tokens, and every query against this
            # build, are analysed with it (``knowledge.domain_lexicon``).
            lexicon = derive_lexicon(chunks)
            compiled = compile_lexicon(lexicon)
            catalogue = build_catalogue(chunks)
            collection = self._client.create_collection(
                name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
            # Chroma's writes are stored _ADD_BATCH at a time: each add has a fixed cost (its own transaction
            # and log entry), about a fifth of the writes' CPU at 256 a call.
            stored: list[Chunk] = []
            vectors: list[np.ndarray] = []
            for number, (batch, texts, computed_rows) in enumerate(zip(batches, plan, encoded), start=1):
                computed = dict(zip(texts, computed_rows)) if texts else {}
                shared.update((t, v) for t, v in computed.items() if counts[t] > 1)
                vectors += [reuse[c.id] if c.id in reuse else computed.get(c.text, shared.get(c.text)) for c in batch]
                embedded += sum(1 for c in batch if c.id not in reuse)
                stored += batch
                if len(stored) >= _ADD_BATCH or number == len(batches):
                    collection.add(ids=[c.id for c in stored], documents=[c.text for c in stored],
                                   embeddings=np.vstack(vectors),
                                   metadatas=[_to_metadata(c, tokenize(c.title + " " + c.text, compiled)) for c in stored])
                    stored, vectors = [], []
            encoded.close()
            # The catalogue travels with its collection: written before the manifest activates the build,
            # so readers see the old index with its own catalogue or the new one with its own, never a mix.
            self._client.create_collection(self._aux_name(name), embedding_function=None, metadata={
                CATALOGUE_KEY: catalogue.model_dump_json(), LEXICON_KEY: lexicon.model_dump_json()})
        except BaseException:
            encoded.close()  # stops the encoder's workers
            self._drop(name)  # the previous index stays active (nothing to drop if it was not created yet)
            raise
        manifest = Manifest(collection=name, embedder=self.embedder.name, corpus_hash=digest,
                            chunk_count=len(chunks), built_at=time.time(), sources=sources)
        self._write_manifest(manifest)
        # The previous collection stays until the next build sweeps it: readers in other processes
        # that loaded it a moment ago keep working until they notice the new manifest.
        self._loaded = None
        _release_free_memory(len(chunks))
        new_ids = {c.id for c in chunks}
        return BuildReport(manifest, added=len(new_ids - old_ids), removed=len(old_ids - new_ids),
                           reused=len(chunks) - embedded, embedded=embedded,
                           seconds=time.perf_counter() - started, unchanged=False,
                           duration_rules=len(durations.rules), duration_unparsed=len(durations.unparsed),
                           error_codes=len({c.code for c in catalogue.codes}),
                           menu_paths=len({m.menu_path for m in catalogue.menus}),
                           lexicon_terms=len(lexicon.terms), lexicon_folds=len(lexicon.folds))

    def _aux_name(self, name: str) -> str:
        """The side collection of build ``name`` (its catalogue and lexicon)."""
        return f"{self.namespace}.aux-{name[len(self.namespace) + 1:]}"

    def _drop(self, name: str) -> None:
        for each in (name, self._aux_name(name)):
            try:
                self._client.delete_collection(each)
            except Exception:  # already gone: nothing to drop
                pass

    def _sweep(self, keep: set[str]) -> None:
        """Remove collections left by builds that died before they were activated."""
        prefix, aux = f"{self.namespace}-", f"{self.namespace}.aux-"
        for collection in self._client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(aux):
                name = prefix + name[len(aux):]
            elif not name.startswith(prefix) or name == self._manifest_name:
                continue
            if name not in keep:
                self._drop(name)

    def _side_metadata(self, collection: Any) -> dict[str, Any]:
        """The build's side-collection metadata; a build from before side collections kept it on its own."""
        name = collection.name
        try:
            return dict(self._client.get_collection(self._aux_name(name)).metadata or {})
        except Exception:  # noqa: BLE001 - no side collection: an older build, or a store that cannot say
            try:
                return dict(collection.metadata or {})
            except Exception:  # noqa: BLE001
                return {}

    # ---- load -----------------------------------------------------------------------------
    def warm_up(self) -> None:
        self._state()

    def check(self) -> Manifest:
        """Health: the active collection can be read now (IndexMissingError/IndexUnavailableError if not)."""
        loaded = self._state()
        try:
            loaded.collection.count()
        except Exception as exc:  # noqa: BLE001 - any failure to read the store means "not healthy"
            self._checked = 0.0
            raise IndexUnavailableError(f"the index collection cannot be read: {exc}") from exc
        manifest = self.manifest()
        if manifest is None:
            raise IndexMissingError("no index has been built yet: run `partner-assistant index build`")
        return manifest

    def _state(self) -> _Loaded:
        # Another process may re-index at any time; re-reading the manifest at most once a second
        # keeps searches cheap (one read per second, not per query, against a Chroma server).
        now = time.monotonic()
        if self._loaded is not None and now - self._checked < MANIFEST_TTL:
            return self._loaded
        self._checked = now
        manifest = self.manifest()
        if manifest is None:
            raise IndexMissingError("no index has been built yet: run `partner-assistant index build`")
        if manifest.embedder != self.embedder.name:
            raise IndexMismatchError(
                f"the index was built with embedder {manifest.embedder!r} but {self.embedder.name!r} is "
                f"configured: rebuild it with `partner-assistant index build --force` or configure "
                f"{manifest.embedder!r}")
        if self._loaded is not None and self._loaded.name == manifest.collection:
            return self._loaded
        try:
            collection = self._client.get_collection(manifest.collection)
        except Exception:  # swept by a concurrent build between the two reads: read the manifest again
            manifest = self.manifest() or manifest
            collection = self._client.get_collection(manifest.collection)
        chunks: list[Chunk] = []
        # Each chunk's stored tokens become term ids as they are read: no per-chunk list of strings is kept.
        terms: dict[str, int] = {}
        term_ids: list[np.ndarray] = []
        lengths: list[int] = []
        total = collection.count()
        # Up to LOCAL_DENSE_MAX chunks the vectors are read once per build and dense search is one exact
        # matrix product here: behind `serve --workers N` each query otherwise crossed to the Chroma server
        # (a quarter of a worker's time in a py-spy profile). Larger indexes keep Chroma's HNSW.
        local = total <= LOCAL_DENSE_MAX
        include = ["documents", "metadatas", "embeddings"] if local else ["documents", "metadatas"]
        rows: list[np.ndarray] = []
        for offset in range(0, total, _PAGE):
            page = collection.get(include=include, limit=_PAGE, offset=offset)
            page_ids: list[int] = []
            for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                chunks.append(_from_record(cid, text, meta))
                tokens = meta["tokens"].split()
                page_ids.extend(terms.setdefault(t, len(terms)) for t in tokens)
                lengths.append(len(tokens))
            term_ids.append(np.asarray(page_ids, dtype=np.int32))
            if local:
                rows.append(np.asarray(page["embeddings"], dtype=np.float32).reshape(len(page["ids"]), -1))
        vectors = None
        if local and chunks:
            vectors = np.vstack(rows)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        side = self._side_metadata(collection)
        raw = side.get(LEXICON_KEY)  # none in a build from before derived lexicons: analysed without one
        lexicon = compile_lexicon(DomainLexicon.model_validate_json(raw)) if raw else None
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        all_ids = np.concatenate(term_ids) if term_ids else np.zeros(0, np.int32)
        del term_ids, rows  # the pages' copies: not held while BM25 sorts (the load's peak)
        bm25 = BM25Index.from_term_ids(terms, offsets, all_ids)
        del all_ids
        self._loaded = _Loaded(manifest.collection, collection, chunks, bm25,
                               {c.id: i for i, c in enumerate(chunks)}, vectors=vectors, lexicon=lexicon)
        _release_free_memory(len(chunks))
        return self._loaded

    @property
    def chunks(self) -> list[Chunk]:
        return self._state().chunks

    def catalogue(self) -> Catalogue:
        """The active build's error codes and menu paths (``knowledge.catalogue``), each naming its chunk.

        Stored with the build's collection; an index built before catalogues existed derives it from its
        chunks once."""
        loaded = self._state()
        if loaded.catalogue is None:
            raw = self._side_metadata(loaded.collection).get(CATALOGUE_KEY)
            loaded.catalogue = Catalogue.model_validate_json(raw) if raw else build_catalogue(loaded.chunks)
        return loaded.catalogue

    def folds(self) -> dict[str, str]:
        """The English names the active build's documents pair with their Chinese terms (lower case -> term)."""
        lexicon = self._state().lexicon
        return dict(lexicon.folds) if lexicon is not None else {}

    def chunks_stating(self, phrase: str) -> list[Chunk]:
        """The chunks whose text contains ``phrase`` (after NFKC): how a rule id resolves to citations.

        Answers resolve the same few rule anchors again and again, so the scan over all chunks is
        done once per phrase and loaded collection."""
        from .cleaning import normalize

        loaded = self._state()
        wanted = normalize(phrase)
        if wanted not in loaded.stating:
            loaded.stating[wanted] = [c for c in loaded.chunks if wanted in c.text]
        return loaded.stating[wanted]

    def topics(self, limit: int = 12, min_chunks: int = 2) -> list[str]:
        """The index's main topics: parent topics (or heading paths) that at least ``min_chunks`` chunks
        share, most chunks first - what a refusal can offer instead, for whatever corpus is indexed."""
        from collections import Counter

        loaded = self._state()
        if loaded.topic_counts is None:
            loaded.topic_counts = Counter(c.parent_topic for c in loaded.chunks if c.parent_topic).most_common()
        return [topic for topic, n in loaded.topic_counts if n >= min_chunks][:limit]

    def chunk_terms(self, chunk_id: str) -> frozenset[str] | None:
        """The chunk's distinct lexical terms (title and text, as its build analysed them), read from the
        loaded BM25 forward index: the evidence stage checks a candidate's key terms without segmenting its
        text again. None when the active build has no such chunk."""
        loaded = self._state()
        position = loaded.positions.get(chunk_id)
        return None if position is None else loaded.bm25.terms_of(position)

    def chunk(self, chunk_id: str) -> Chunk | None:
        loaded = self._state()
        position = loaded.positions.get(chunk_id)
        return None if position is None else loaded.chunks[position]

    def snapshot(self, reload: bool = False) -> _Loaded:
        """The active build as loaded now. A query that takes chunks, BM25 and dense positions from one
        snapshot cannot pair one build's positions with another's chunks when a re-index lands mid-query."""
        if reload:
            self._checked = float("-inf")  # due whatever the TTL and however long the machine has been up
        return self._state()

    def dense(self, query_vector: np.ndarray, n: int, snapshot: _Loaded | None = None) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity) for the ``n`` nearest chunks; positions index ``snapshot``'s
        chunks when one is given (StaleSnapshotError if its collection has been swept meanwhile)."""
        loaded = snapshot or self._state()
        n = min(n, len(loaded.chunks))
        if n == 0:
            return []
        if loaded.vectors is not None:
            query = np.asarray(query_vector, dtype=np.float32)
            similarities = loaded.vectors @ (query / max(float(np.linalg.norm(query)), 1e-12))
            top = np.argpartition(-similarities, n - 1)[:n] if n < len(similarities) else np.arange(len(similarities))
            top = top[np.argsort(-similarities[top], kind="stable")]
            return [(int(pos), float(similarities[pos])) for pos in top]
        try:
            result = loaded.collection.query(query_embeddings=[query_vector.tolist()], n_results=n,
                                             include=["distances"])
        except Exception as exc:  # the collection went away under us (re-indexed twice within a second)
            if snapshot is not None:
                raise StaleSnapshotError("the index changed during the query") from exc
            self._checked = 0.0
            loaded = self._state()
            result = loaded.collection.query(query_embeddings=[query_vector.tolist()],
                                             n_results=min(n, len(loaded.chunks)), include=["distances"])
        return [(loaded.positions[cid], 1.0 - float(dist))
                for cid, dist in zip(result["ids"][0], result["distances"][0])]

    def lexical(self) -> BM25Index:
        return self._state().bm25
