"""Run one measurement of a bench in a fresh Python process and read back the JSON row it prints last.

Benches measure peak RSS, start-up and load per candidate or per size; a fresh process keeps one measurement's
memory and caches out of the next. The child is the same script with `--one VALUE` (and its own arguments)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


class IsolatedRunFailed(RuntimeError):
    """The child exited with an error or printed no JSON row; the message holds the end of its stderr."""


def run_one(script: str | Path, value: object, *args: object, cwd: Path | None = None,
            timeout: float | None = None) -> dict:
    done = subprocess.run([sys.executable, str(script), "--one", str(value), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines or not lines[-1].startswith("{"):
        raise IsolatedRunFailed(done.stderr[-300:] or f"no JSON row (exit status {done.returncode})")
    return json.loads(lines[-1])
