"""The language a glossary is written in, when it is not English.

SKOS tags every label and definition with a language, and a reader of the export trusts it.
A SKOS source says its languages; a text, Markdown or CSV glossary does not, so its terms and
definitions are read together and identified (py3langid, a model shipped in the package: no
network). Only a clear verdict on enough text counts; anything else is English, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

MIN_WORDS = 12  # fewer words than this say too little to tell a language by
SURE = 0.95  # the identifier's probability a language must reach
MAX_CHARS = 20_000  # the first this many characters of a glossary are enough
# English's commonest words: a fifth of running English text, almost none of German, French
# or Spanish text (whose own "a", "on" or "as" are rarer than English's)
_ENGLISH = frozenset(
    "the of and to a in is for that or with by are as an on it be from this which their "
    "your you can it's its".split()
)
ENGLISH_SHARE = 0.12
_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")


def text_language(texts: Iterable[str]) -> str | None:
    """The language of the texts together, as a lower-case tag ("de"), when it is clearly one
    other than English; None for English, mixed or too little text."""
    text = ""
    for t in texts:
        if len(text) >= MAX_CHARS:
            break
        text += f"{t}\n"
    words = text.lower().split()
    if len(words) < MIN_WORDS:
        return None
    if sum(1 for w in words if w in _ENGLISH) >= ENGLISH_SHARE * len(words):
        return None  # plainly English: the model (0.4 s to load) is not needed
    language, probability = _identifier().classify(text[:MAX_CHARS])
    return str(language) if language != "en" and probability >= SURE else None


def language_tag(value: object, where: str) -> str | None:
    """A language a person gave (a manifest's `language = "de"`), checked: None for English."""
    if not isinstance(value, str) or not _TAG.match(value.strip().lower()):
        raise ValueError(f'{where}: language must be a tag such as "de" or "pt-br", not {value!r}')
    tag = value.strip().lower()
    return None if tag == "en" or tag.startswith("en-") else tag


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
