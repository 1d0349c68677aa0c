"""The Frame: what one message means, given the conversation so far.

It is the understanding stage's only output; planning reads the Frame (and the evidence), never the
raw message again. A failed eval case can be traced to it: the slots with the wording they came from
and the readings used, the intent candidates, and the move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..answer import Move
from ..language import Variant
from ..slots import Slots
from .normalise import Normalised


@dataclass
class Frame:
    norm: Normalised
    slots: Slots                       # values with their spans and the readings used (slots.notes_*)
    routes: tuple[str, ...]            # intent candidates: the tools the message alone calls for
    move: Move
    tools: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # tools to plan, details carried
    convert_to: Variant | None = None  # the language a convert move asks for
    particular: bool = False           # about the user's own case: a missing detail is worth asking for
    restored: bool = False             # the tools are an earlier topic's, gone back to: not chosen afresh
