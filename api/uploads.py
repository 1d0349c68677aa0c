"""Uploaded documents join the docs folder all-or-nothing, and one index build runs at a time.

An upload is written to a staging folder next to ``docs/`` (same file system), flushed to disk and
validated as a source document before anything in ``docs/`` changes. A journal then lists the names
it will place; each replaced file waits in the staging folder until the build has succeeded. If the
build fails, or the process dies half-way (the next start reads the journal), the previous files
come back and the new ones go, so ``docs/`` and the index stay exactly as they were.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from knowledge.loaders import load_file

from .errors import ApiError

T = TypeVar("T")
STAGING = ".uploads"      # under the data directory: data/.uploads/<id>/{incoming,previous,journal.json}
_NAME_BYTES = 200         # file systems allow 255 bytes per name; leave room for editors' backup suffixes


def check_names(names: list[str | None]) -> list[str]:
    """Plain, distinct file names, or a 422 naming the field."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = Path(raw or "").name
        problem = None
        if not name or name.startswith("."):
            problem = "every uploaded file needs a plain file name (not empty, not starting with '.')"
        elif any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in name):
            problem = f"file name {name[:60]!r} holds control characters"
        elif len(name.encode("utf-8")) > _NAME_BYTES:
            problem = f"file name {name[:40]!r}... is longer than {_NAME_BYTES} bytes"
        elif name.casefold() in seen:
            problem = f"two uploaded files are named {name!r}; send each name once"
        if problem:
            raise ApiError(422, "invalid_upload", problem, details=[{"field": "files", "message": problem}])
        seen.add(name.casefold())
        out.append(name)
    return out


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _disk_error(exc: OSError) -> ApiError:
    if exc.errno in {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}:
        return ApiError(507, "insufficient_storage", "the server's disk is full; nothing was changed")
    return ApiError(503, "storage_error", f"the upload could not be written ({exc.strerror}); nothing was changed")


class Staged:
    """Uploads written and validated in a staging folder; ``apply`` places them, ``undo`` takes them back."""

    def __init__(self, data_dir: Path, docs: Path) -> None:
        self.docs = docs
        self.root = data_dir / STAGING / uuid.uuid4().hex
        self.incoming = self.root / "incoming"
        self.previous = self.root / "previous"
        self.names: list[str] = []

    def add(self, name: str, stream: BinaryIO) -> None:
        """Copy one upload to disk (flushed), then parse it: IngestError names the file."""
        self.incoming.mkdir(parents=True, exist_ok=True)
        target = self.incoming / name
        try:
            with open(target, "xb") as out:
                shutil.copyfileobj(stream, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise _disk_error(exc) from exc
        load_file(target)
        self.names.append(name)

    def apply(self) -> None:
        """Move the uploads into ``docs/``; the files they replace wait in the staging folder."""
        if not self.names:
            return
        try:
            self.docs.mkdir(parents=True, exist_ok=True)
            self.previous.mkdir(parents=True, exist_ok=True)
            existed = {name: (self.docs / name).exists() for name in self.names}
            journal = self.root / "journal.json"
            journal.write_text(json.dumps({"existed": existed}), "utf-8")
            with open(journal, "rb") as handle:
                os.fsync(handle.fileno())
            for name in self.names:
                if existed[name]:
                    os.replace(self.docs / name, self.previous / name)
                os.replace(self.incoming / name, self.docs / name)
            _fsync_dir(self.docs)
        except OSError as exc:
            self.undo()
            raise _disk_error(exc) from exc

    def undo(self) -> None:
        rollback(self.root, self.docs)

    def keep(self) -> None:
        (self.root / "journal.json").unlink(missing_ok=True)  # from here on, recovery keeps the new files
        shutil.rmtree(self.root, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def rollback(root: Path, docs: Path) -> None:
    """Put ``docs/`` back as the journal in ``root`` found it, then drop the staging folder."""
    journal = root / "journal.json"
    if journal.exists():
        try:
            existed: dict[str, bool] = json.loads(journal.read_text("utf-8"))["existed"]
        except (ValueError, KeyError):
            existed = {}
        for name, was_there in existed.items():
            kept = root / "previous" / name
            if kept.exists():
                os.replace(kept, docs / name)
            elif not was_there:
                (docs / name).unlink(missing_ok=True)
            # was there and not moved aside yet: docs/name is still the old file
        if docs.is_dir():
            _fsync_dir(docs)
    shutil.rmtree(root, ignore_errors=True)


def recover(data_dir: Path, docs: Path) -> None:
    """At start-up: undo uploads a previous process left half-applied (it died during a build)."""
    folder = data_dir / STAGING
    if not folder.is_dir():
        return
    with build_lock(data_dir, wait=True):
        for root in folder.iterdir():
            if root.is_dir():
                rollback(root, docs)


@contextlib.contextmanager
def build_lock(data_dir: Path, wait: bool = False) -> Iterator[None]:
    """One index build at a time across the workers on this machine (409 for the second)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / ".build.lock", "a+b")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise ApiError(409, "reindex_in_progress", "another re-index is running; try again when it has finished",
                           headers={"Retry-After": "5"}) from exc
        yield
    finally:
        handle.close()  # closing releases the lock


def replace_and_build(data_dir: Path, docs: Path, uploads: list[tuple[str, BinaryIO]],
                      build: Callable[[], T]) -> T:
    """Stage, validate, place and build under the build lock; any failure restores ``docs/``."""
    with build_lock(data_dir):
        staged = Staged(data_dir, docs)
        try:
            for name, stream in uploads:
                staged.add(name, stream)
        except BaseException:
            staged.discard()
            raise
        staged.apply()
        try:
            result = build()
        except BaseException:
            staged.undo()  # a failed build keeps nothing of this request, and loses nothing it replaced
            raise
        staged.keep()
        return result


def uploaded_names(uploads: list[Any]) -> list[str]:
    return check_names([getattr(u, "filename", None) for u in uploads])
