"""Which language to answer in: English, Simplified or Traditional Chinese."""

from __future__ import annotations

from typing import Literal

from knowledge.lexical import to_simplified

Variant = Literal["en", "zh-Hans", "zh-Hant"]


def detect(text: str, simplified: str | None = None) -> Variant:
    """``simplified`` is ``to_simplified(text)`` when the caller has it already."""
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if han == 0 or latin > 3 * han:
        return "en"
    return "zh-Hant" if (to_simplified(text) if simplified is None else simplified) != text else "zh-Hans"


def localise(text: str, variant: Variant) -> str:
    """Our own Chinese wording rendered for the user's script; quotes are not passed through here."""
    if variant != "zh-Hant":
        return text
    import zhconv

    return zhconv.convert(text, "zh-tw")


def script_neutral(text: str, simplified: str | None = None) -> bool:
    """Chinese that reads the same in both scripts ("那10月的呢?"): nothing in it says which one the writer uses."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return False
    if (to_simplified(text) if simplified is None else simplified) != text:
        return False  # it has Traditional characters
    import zhconv

    return zhconv.convert(text, "zh-hant") == text  # and no Simplified-only ones
