"""Imported official holiday schedules (State Council notices) kept in the data directory.

``partner-assistant calendar import FILE`` validates a schedule file (the format of
:class:`tools.workdays.CalendarData`) and merges its years into ``<data_dir>/calendar.json``: a year in
the new file replaces that year, other imported years stay. The write is atomic (temp file, fsync,
rename), so a failed import leaves the previous file as it was. The tools stay pure: callers load the
file here and pass it in as the ``calendar`` argument.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from tools.workdays import CalendarData

from .errors import IngestError

CALENDAR_FILE = "calendar.json"
_MAX_BYTES = 1_000_000


def read_calendar_file(path: Path) -> CalendarData:
    """Read and validate a schedule file; IngestError names the file and the bad field."""
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise IngestError(str(path), f"larger than {_MAX_BYTES:,} bytes; a schedule file is a few kB")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IngestError(str(path), f"cannot read it: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise IngestError(str(path), f"not UTF-8 JSON: {exc}") from exc
    try:
        return CalendarData.model_validate(raw)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors())
        raise IngestError(str(path), detail) from exc


def load_calendar(data_dir: Path) -> CalendarData | None:
    """The imported schedules, or None when nothing was imported."""
    path = Path(data_dir) / CALENDAR_FILE
    return read_calendar_file(path) if path.exists() else None


def import_calendar(source: Path, data_dir: Path) -> CalendarData:
    """Validate ``source`` and merge its years into the data directory's schedule file; return the result."""
    new = read_calendar_file(source)
    old = load_calendar(data_dir)
    years = {**(old.years if old else {}), **new.years}
    merged = CalendarData(source=new.source if not old else f"{old.source}; {new.source}"[-200:], years=years)
    target = Path(data_dir) / CALENDAR_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".calendar-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(merged.model_dump_json(indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return merged
