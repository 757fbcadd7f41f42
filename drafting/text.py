"""Vietnamese text helpers: one spelling for matching, sentences, clauses (pure)."""

from __future__ import annotations

import re
import unicodedata

# Vietnamese writes the tone mark of "uy"/"oa" on either vowel ("Tỉnh ủy" and "Tỉnh uỷ"):
# matching folds both spellings to one.
_TONE_FOLD = {
    "ủy": "uỷ", "úy": "uý", "ùy": "uỳ", "ũy": "uỹ", "ụy": "uỵ",
    "óa": "oá", "òa": "oà", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "óe": "oé", "òe": "oè", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
}
_FOLD_RE = re.compile("|".join(_TONE_FOLD))


def fold(text: str) -> str:
    """Lower case, NFC, one tone-mark spelling, single spaces: for matching only."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _FOLD_RE.sub(lambda m: _TONE_FOLD[m.group(0)], text)
    return re.sub(r"\s+", " ", text)


def clean(text: str) -> str:
    """The text as written, with runs of white space made one space and the ends trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


# A sentence ends at . ! ? (or …) followed by a space and a capital letter or an opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“(]?[^\W\d_a-zđ])")


def sentences(paragraph: str) -> list[str]:
    """The paragraph's sentences, each verbatim (white space trimmed)."""
    out = []
    for part in _SENTENCE_END.split(paragraph.strip()):
        part = part.strip()
        if not part:
            continue
        # "Internet, mạng xã hội... trong" does not end a sentence: the next word is lower case.
        if out and not part[0].isupper() and part[0] not in "\"“(":
            out[-1] += " " + part
        else:
            out.append(part)
    return out


def clauses(sentence: str) -> list[str]:
    """The sentence cut at semicolons, each clause verbatim with its own semicolon."""
    parts = re.split(r"(?<=;)\s+", sentence)
    return [p.strip() for p in parts if p.strip()]
