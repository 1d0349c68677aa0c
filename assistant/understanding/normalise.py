"""Normalise a message once: width, line separators, script and language.

Every later stage reads this instead of converting the message again: ``simplified`` for matching
(Traditional wording reads like Simplified), ``original`` for quoting the user back, ``variant`` for
rendering the answer in the user's script.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

from knowledge.lexical import to_simplified

from ..language import Variant, detect, script_neutral

# Line and paragraph separators and other invisible breaks read as spaces; they end regexes' lines.
_BREAKS = {ord(c): " " for c in "\u2028\u2029\u0085\u000b\u000c\u200b\ufeff"}


@dataclass(frozen=True)
class Normalised:
    original: str
    text: str          # NFKC (full-width digits and letters become ASCII), breaks as spaces
    simplified: str    # ``text`` in Simplified Chinese
    variant: Variant

    @property
    def lower(self) -> str:
        return self.simplified.lower()

    @property
    def language(self) -> Literal["zh", "en"]:
        return "en" if self.variant == "en" else "zh"


def normalise(message: str) -> Normalised:
    text = unicodedata.normalize("NFKC", message).translate(_BREAKS)
    simplified = to_simplified(text)
    return Normalised(original=message, text=text, simplified=simplified, variant=detect(text, simplified))


def in_script(norm: Normalised, script: Variant | None) -> Normalised:
    """The message read in the conversation's script when it says nothing of its own: a Chinese message
    with no character that differs between the scripts ("那10月的呢?") continues in the script the
    conversation was written in (detection alone would call it Simplified, the default)."""
    if script is None or script == "en" or norm.variant != "zh-Hans" or script == norm.variant:
        return norm
    return replace(norm, variant=script) if script_neutral(norm.text, norm.simplified) else norm
