"""The language a glossary is written in, when it is not English.

SKOS tags every label and definition with a language, and a reader of the export trusts it.
A SKOS source says its languages; a text, Markdown or CSV glossary does not, so its terms and
definitions are read together and identified (py3langid, a model shipped in the package: no
network). Only a clear verdict on enough text counts; anything else is English, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

MIN_WORDS = 12  # fewer words than this say too little to tell a glossary's language by
MIN_ENTRY_WORDS = 6  # nor an entry's own
SURE = 0.9  # the identifier's probability a language must reach
MAX_CHARS = 20_000  # the first this many characters of a glossary are enough
# English's commonest words: a fifth of running English text, almost none of German, French
# or Spanish text ("a", "an", "in" and "on" are words of those too, so are left out)
_ENGLISH = frozenset(
    "the of and to is for that with by are as it be from this which their your you can "
    "it's its or when who has have into".split()
)
ENGLISH_SHARE = 0.12
# Other languages' commonest words, none of them English: an entry holding none is read as
# English without the model (German, French, Spanish, Italian, Portuguese, Dutch)
_FOREIGN = frozenset(
    "der die das und ein eine einer nicht ist mit von zu den dem des für auf sich werden "
    "le la les des une est et du pour dans qui sur par avec sont au aux "
    "el los las una es y del para por con que se su al lo como "
    "il gli della delle di che sono per una non "
    "os um uma não com são pelo pela "
    "het een van en zijn voor niet met op".split()
) - frozenset("is in on a an the of to for per".split())
_WORD = re.compile(r"[^\W\d_]+")
_NAMES = {  # languages written as names in a Language column
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "português": "pt",
    "dutch": "nl",
    "nederlands": "nl",
}
_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")


def text_language(texts: Iterable[str]) -> str | None:
    """The language of the texts together, as a lower-case tag ("de"), when it is clearly one
    other than English; None for English, mixed or too little text."""
    text = ""
    for t in texts:
        if len(text) >= MAX_CHARS:
            break
        text += f"{t}\n"
    return _identify(text[:MAX_CHARS], MIN_WORDS)


def entry_languages(texts: Sequence[str]) -> list[str | None]:
    """The language of each of a glossary's entries (each a term and its definition): the
    glossary's as a whole, or an entry's own where it clearly has another (a file with
    English and German rows). None for English. Plainly English glossaries are not read
    entry by entry."""
    words = [_WORD.findall(t.lower()) for t in texts]
    foreign = [any(w in _FOREIGN for w in ws) for ws in words]
    if not any(foreign):
        return [None] * len(texts)  # no other language's commonest words: the model not needed
    whole = text_language(texts)
    return [
        (_identify(t, MIN_ENTRY_WORDS) or whole)
        if looks
        else (None if _plainly_english(ws) else whole)
        for t, ws, looks in zip(texts, words, foreign, strict=True)
    ]


def _identify(text: str, least: int) -> str | None:
    words = text.lower().split()
    if len(words) < least or _plainly_english(words):
        return None  # too little to tell, or plainly English: the model (0.4 s to load) not needed
    language, probability = _identifier().classify(text)
    return str(language) if language != "en" and probability >= SURE else None


def _plainly_english(words: Sequence[str]) -> bool:
    return bool(words) and sum(1 for w in words if w in _ENGLISH) >= ENGLISH_SHARE * len(words)


def language_tag(value: object, where: str, english: str | None = None) -> str | None:
    """A language a person gave (a manifest's `language = "de"`, a CSV cell "German" or
    "de_DE"), checked: a tag, or `english` for English."""
    text = value.strip().lower().replace("_", "-") if isinstance(value, str) else ""
    tag = _NAMES.get(text, text)
    if not _TAG.match(tag):
        raise ValueError(f'{where}: language must be a tag such as "de" or "pt-br", not {value!r}')
    return english if tag == "en" or tag.startswith("en-") else tag


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
