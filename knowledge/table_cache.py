"""Derived tables built once per machine and mapped read-only by every process that reads them.

Whole dictionaries parsed into Python objects cost every serving worker tens of megabytes (jieba's word
table 66 MB, its part-of-speech model 84 MB, CC-CEDICT's glosses 23-56 MB). Built once into compact files
(a marisa trie for the words, flat arrays for the numbers) and memory-mapped, their pages are the operating
system's file cache: shared by all workers, loaded only where a lookup lands.

A table lives in ``<cache>/<name>-<fingerprint>/``; the fingerprint changes with whatever the table is
derived from (package versions, our lexicon files), so a stale folder is never read. The builder runs in a
child process: the full dictionaries it parses never enter the caller's memory. Folders are written under
another name and renamed whole, under a file lock, so processes starting together build once and never
read half a folder.

The cache folder: ``PARTNER_ASSISTANT_CACHE_DIR``, else ``$XDG_CACHE_HOME/partner-assistant`` (by default
``~/.cache/partner-assistant``), else the temporary folder when neither can be written.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import mmap
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .errors import KnowledgeError

_COMPLETE = "complete"
_lock = threading.Lock()


class TableBuildError(KnowledgeError):
    """A derived table could not be built (the child's last output says why)."""


def cache_root() -> Path:
    """The first usable cache folder (see the module docstring)."""
    candidates = []
    if os.environ.get("PARTNER_ASSISTANT_CACHE_DIR"):
        candidates.append(Path(os.environ["PARTNER_ASSISTANT_CACHE_DIR"]))
    xdg = os.environ.get("XDG_CACHE_HOME")
    if not xdg:
        with contextlib.suppress(RuntimeError, KeyError):  # no home folder (a bare service account)
            xdg = str(Path.home() / ".cache")
    if xdg:
        candidates.append(Path(xdg) / "partner-assistant")
    candidates.append(Path(tempfile.gettempdir()) / f"partner-assistant-{os.getuid()}")
    for folder in candidates:
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK | os.X_OK):
                return folder
    raise TableBuildError(f"no writable cache folder among {', '.join(map(str, candidates))}: "
                          "set PARTNER_ASSISTANT_CACHE_DIR to one")


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def table_folder(name: str, print_: str, builder: str) -> Path:
    """The folder of table ``name`` at ``print_``, built first if missing by ``builder`` ("module:function",
    called in a child process with the folder to fill)."""
    root = cache_root()
    folder = root / f"{name}-{print_}"
    if (folder / _COMPLETE).exists():
        return folder
    with _lock, open(root / f".{name}-{print_}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same table
        if (folder / _COMPLETE).exists():
            return folder
        partial = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
        try:
            _run_builder(builder, partial)
            (partial / _COMPLETE).write_text(print_)
            for path in partial.iterdir():  # on disk before the rename makes the folder visible
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
            os.rename(partial, folder)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return folder


def _run_builder(builder: str, folder: Path) -> None:
    module, function = builder.split(":")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # the caller's code, not another copy
    script = f"import sys, {module} as m; m.{function}(sys.argv[1])"
    done = subprocess.run([sys.executable, "-c", script, str(folder)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise TableBuildError(f"building {folder.name} with {builder} failed: {done.stderr.strip()[-1500:]}")


def map_file(path: Path) -> mmap.mmap:
    """``path`` mapped read-only. The build left its pages in the page cache as large folios, where one
    fault maps a whole folio: dropped first, pages come back one at a time as lookups land on them."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    finally:
        os.close(fd)
    if hasattr(mmap, "MADV_RANDOM"):
        mapped.madvise(mmap.MADV_RANDOM)
    return mapped
