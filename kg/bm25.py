"""BM25 (bm25s) over each concept's labels, definitions and curated phrasings."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ingest.concept import Concept
from kg.errors import BuildError
from kg.retrieval import Query, Retriever, Scored, content_words, strip_boilerplate, words_of


class BM25Retriever(Retriever):
    """bm25s over each concept's labels (twice, so a name outweighs a passing mention) and
    all its definitions, on folded, stemmed words without stop words.

    Each match also reports its *strength*: the IDF-weighted share of the query's words the
    concept contains. A paraphrase that shares one common word with a definition gets a BM25
    rank but little strength, so the fusion does not let it push out a dense match.
    """

    name = "bm25"
    FILE = "search-bm25.zip"

    def __init__(self, model: Any) -> None:
        self.model = model
        self.vocab: dict[str, int] = {w: i for w, i in model.vocab_dict.items() if w}
        n_docs = int(model.scores["num_docs"])
        indptr = np.asarray(model.scores["indptr"])
        df = np.diff(indptr).astype(np.float64)
        # Lucene's IDF; unknown words get the highest (they are at least as rare as any).
        self.idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        self.unknown_idf = float(np.log(1.0 + (n_docs + 0.5) / 0.5))
        self.n_docs = n_docs

    @staticmethod
    def document(concept: Concept) -> list[str]:
        labels = [concept.pref_label, *concept.alt_labels, *concept.hidden_labels]
        phrasings = [strip_boilerplate(p) for p in concept.phrasings]
        text = " ".join(labels * 2 + [d.text for d in concept.definitions] + phrasings)
        return content_words(words_of(text))

    @classmethod
    def build(cls, concepts: Sequence[Concept]) -> BM25Retriever:
        import bm25s
        from bm25s.tokenization import Tokenized

        docs = [cls.document(c) for c in concepts]
        vocab = {w: i for i, w in enumerate(sorted({w for d in docs for w in d}))}
        ids = [[vocab[w] for w in d] for d in docs]
        model = bm25s.BM25()
        model.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(model)

    def search(self, query: Query, k: int) -> list[Scored]:
        terms = {w: 1.0 for w in content_words(query.words)}
        for w, weight in query.expansions.items():
            terms.setdefault(w, weight)
        return self.search_terms(terms, k)

    def search_terms(self, terms: dict[str, float], k: int) -> list[Scored]:
        """Rank by the weighted sum of each term's BM25 score."""
        if not terms:
            return []
        scores = np.zeros(self.n_docs, dtype=np.float64)
        covered = np.zeros(self.n_docs, dtype=np.float64)
        total = 0.0
        hits: list[tuple[str, np.ndarray]] = []
        for term, weight in sorted(terms.items()):
            if term not in self.vocab:
                total += weight * self.unknown_idf
                continue
            idf = float(self.idf[self.vocab[term]])
            total += weight * idf
            per_doc = np.asarray(self.model.get_scores([term]), dtype=np.float64)
            scores += weight * per_doc
            hit = per_doc > 0
            covered += weight * idf * hit
            hits.append((term, hit))
        positive = np.flatnonzero(scores > 0)
        if len(positive) > k:
            # keep every document tied with the k-th best, so ties still break by index
            kth = -np.partition(-scores[positive], k - 1)[k - 1]
            positive = positive[scores[positive] >= kth]
        order = sorted(positive.tolist(), key=lambda i: (-scores[i], i))[:k]
        return [
            Scored(
                i,
                float(scores[i]),
                f"words: {', '.join(t for t, hit in hits if hit[i])}",
                float(covered[i] / total) if total > 0 else 0.0,
            )
            for i in order
        ]

    def save(self, folder: Path) -> list[str]:
        with tempfile.TemporaryDirectory() as tmp:
            self.model.save(tmp, show_progress=False)
            with zipfile.ZipFile(folder / self.FILE, "w", zipfile.ZIP_DEFLATED) as zf:
                for file in sorted(Path(tmp).iterdir()):
                    # a fixed timestamp keeps the file (and its checksum) reproducible
                    info = zipfile.ZipInfo(file.name, date_time=(1980, 1, 1, 0, 0, 0))
                    zf.writestr(info, file.read_bytes(), zipfile.ZIP_DEFLATED)
        return [self.FILE]

    @classmethod
    def load(cls, folder: Path) -> BM25Retriever:
        import bm25s

        path = folder / cls.FILE
        try:
            with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as zf:
                zf.extractall(tmp)
                model = bm25s.BM25.load(tmp, mmap=False, show_progress=False, verbosity=0)
            return cls(model)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise BuildError(f"{path} is damaged ({exc}); rebuild with `kg ingest`") from None
