"""Properties that hold for any input: normalising, merging, and reading any bytes."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.document import Document
from ingest.errors import SourceError
from ingest.merge import merge
from ingest.model import Entry, ReadResult
from ingest.normalize import fold, label_key
from ingest.readers import FORMATS, reader_for

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=8)
SEPARATORS = st.sampled_from([" ", "  ", "-", " - ", "_", ", ", " / ", "\t", "–"])
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(WORDS, min_size=1, max_size=5), SEPARATORS, SEPARATORS)
def test_label_key_ignores_spacing_hyphens_and_punctuation(
    words: list[str], one: str, other: str
) -> None:
    assert label_key(one.join(words)) == label_key(other.join(words))
    assert label_key(" ".join(words).title()) == label_key(" ".join(words))


@FAST
@given(st.text())
def test_fold_is_total_and_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


NAMES = [
    "Churn",
    "Churn Rate",
    "Net Revenue Retention",
    "NRR",
    "Upsell",
    "Downsell",
    "Cross-sell",
    "Cross sell",
    "Gross Revenue Retention",
    "GRR",
    "Renewal",
    "Net Promoter Score",
    "Net Promotor Score",
    "NPS",
    "Health Score",
]


@st.composite
def entry_sets(draw: st.DrawFn) -> list[Entry]:
    entries = []
    for n in range(draw(st.integers(1, 12))):
        term = draw(st.sampled_from(NAMES))
        aliases = tuple(draw(st.lists(st.sampled_from(NAMES), max_size=2)))
        see = tuple(draw(st.lists(st.sampled_from(NAMES), max_size=1)))
        entries.append(
            Entry(
                term=term,
                definition=draw(
                    st.sampled_from(
                        [None, "A measure of customers.", "Revenue kept from existing customers."]
                    )
                ),
                source=draw(st.sampled_from(["a", "b", "c"])),
                lines=(n + 1, n + 1),
                aliases=tuple(a for a in aliases if a != term),
                see=see,
            )
        )
    return entries


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entry_sets(), st.randoms(use_true_random=False))
def test_merging_is_independent_of_order(entries: list[Entry], rnd: random.Random) -> None:
    def shape(result):  # type: ignore[no-untyped-def]
        return sorted(
            (
                c.id,
                c.pref_label,
                tuple(c.alt_labels),
                tuple(c.hidden_labels),
                tuple(sorted((j.source, j.lines) for j in c.joined)),
            )
            for c in result.concepts
        )

    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert shape(merge(entries)) == shape(merge(shuffled))
    ids = [c.id for c in merge(entries).concepts]
    assert len(ids) == len(set(ids))


SUFFIX = {
    "text": ".txt",
    "markdown": ".md",
    "csv": ".csv",
    "turtle": ".ttl",
    "xml": ".rdf",
    "json-ld": ".jsonld",
    "nt": ".nt",
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FORMATS), st.binary(max_size=600) | st.text(max_size=600).map(str.encode))
def test_no_bytes_crash_any_reader(fmt: str, data: bytes) -> None:
    path = Path("input" + SUFFIX[fmt])
    try:
        result = reader_for(fmt, path)(Document(path, data), "src")
    except SourceError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
    else:
        assert isinstance(result, ReadResult)
