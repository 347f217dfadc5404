"""Label normalisation: when two labels are the same name.

`label_key` ignores case, spacing, hyphens and punctuation, and (with `singular=True`)
the plural of the last word: "Cross sell", "Cross-Sell" and "cross-sells" share a key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+")
_INVARIANT = frozenset(
    "analysis basis business series species news status access success loss process "
    "class gross less bonus campus census radius virus plus minus".split()
)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Case-folded, accents removed, punctuation and hyphens to spaces, spaces squeezed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace("’", "'").replace("'s", "s")
    return " ".join(_NON_WORD.sub(" ", text).split())


def singular(word: str) -> str:
    """A simple English singular for a folded word: ies->y, sses->ss, s->''."""
    if len(word) <= 3 or word in _INVARIANT or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=200_000)
def label_key(label: str, singular_last: bool = True) -> str:
    """The key two labels share when they name the same thing, spaces removed."""
    words = fold(label).split()
    if singular_last and words and not _is_acronymish(label):
        words[-1] = singular(words[-1])
    return "".join(words)


def _is_acronymish(label: str) -> bool:
    """True when the last word has inner capitals (SaaS, KPIs): never singularised."""
    last = label.split()[-1] if label.split() else ""
    return any(ch.isupper() for ch in last[1:])


def words_of(label: str) -> list[str]:
    """Folded words, each in its singular."""
    return [singular(w) for w in fold(label).split()]


def singularise_label(label: str) -> str:
    """ "Quarterly Business Reviews" -> "Quarterly Business Review", keeping the casing."""
    parts = label.rsplit(" ", 1)
    last = parts[-1]
    if _is_acronymish(label):
        return label
    lowered = singular(last.casefold())
    if lowered == last.casefold():
        return label
    fixed = last[: len(lowered)] if last.casefold().startswith(lowered) else lowered
    return " ".join([*parts[:-1], fixed])
