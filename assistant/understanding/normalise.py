"""Normalise a message once: width, line separators, script and language.

Every later stage reads this instead of converting the message again: ``simplified`` for matching
(Traditional wording reads like Simplified), ``original`` for quoting the user back, ``variant`` for
rendering the answer in the user's script.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

from knowledge.lexical import fold_english_phrases, to_simplified

from ..language import Variant, detect, script_neutral

# Line and paragraph separators and other invisible breaks read as spaces; they end regexes' lines.
_BREAKS = {ord(c): " " for c in "\u2028\u2029\u0085\u000b\u000c\u200b\ufeff"}


# Digits with commas between them: one number written with thousands separators (2,500 / 12,345.67; full-width
# １２，５００ is 12,500 after NFKC), or a list (1,2,3月 / 3,5两个月). Which one is CLDR's grouping rule's to say.
_COMMA_DIGITS = re.compile(r"(?<![\d.,])\d+(?:,\d+)+(?:\.\d+)?(?!\d|\.\d)")  # a full stop may end the sentence


def ungroup(text: str) -> str:
    """Numbers written with thousands separators as plain digits (2,500 -> 2500, 12,345.67 -> 12345.67), so
    that no later reader takes the separator for a clause or list boundary (2,500 read as 2 and 500). A run is
    one number only when Babel's strict parser accepts its grouping (groups of three after the first); anything
    else (1,2,3月, 10,11月, 3,5) is a list and stays as written."""
    if "," not in text:
        return text
    from babel.numbers import NumberFormatError, parse_decimal

    def plain(m: re.Match[str]) -> str:
        try:
            parse_decimal(m.group(0), locale="en", strict=True)
        except NumberFormatError:
            return m.group(0)
        return m.group(0).replace(",", "")
    return _COMMA_DIGITS.sub(plain, text)


@dataclass(frozen=True)
class Normalised:
    original: str
    text: str          # NFKC (full-width digits and letters become ASCII), breaks as spaces, numbers ungrouped
    simplified: str    # ``text`` in Simplified Chinese
    variant: Variant

    @property
    def lower(self) -> str:
        return self.simplified.lower()

    @property
    def language(self) -> Literal["zh", "en"]:
        return "en" if self.variant == "en" else "zh"


_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalise(message: str) -> Normalised:
    text = ungroup(unicodedata.normalize("NFKC", message).translate(_BREAKS))
    simplified = to_simplified(text)
    if _CJK.search(simplified) and re.search(r"[A-Za-z]{2}", simplified):
        # code-switched: the glossary's English phrases (stored-value card, account manager) are read as the
        # Chinese terms they stand for, so the Chinese detail readers see one language
        simplified = fold_english_phrases(simplified)
    return Normalised(original=message, text=text, simplified=simplified, variant=detect(text, simplified))


def in_script(norm: Normalised, script: Variant | None) -> Normalised:
    """The message read in the conversation's script when it says nothing of its own: a Chinese message
    with no character that differs between the scripts ("那10月的呢?") continues in the script the
    conversation was written in (detection alone would call it Simplified, the default)."""
    if script is None or script == "en" or norm.variant != "zh-Hans" or script == norm.variant:
        return norm
    return replace(norm, variant=script) if script_neutral(norm.text, norm.simplified) else norm
