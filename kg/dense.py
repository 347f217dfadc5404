"""Dense retrieval: MiniLM vectors of several views of each concept (labels, definitions,
sentences, "Label: definition" entries, curated phrasings) in FAISS; a concept scores its
best view, a share of its second best and of the mean of all its views."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.concept import Concept
from ingest.normalize import label_key
from kg.errors import BuildError
from kg.retrieval import (
    Query,
    Retriever,
    Scored,
    SearchConfig,
    TextEncoder,
    read_json,
    strip_boilerplate,
    write_json,
)

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def _sentences(text: str) -> list[str]:
    parts = [p.strip(" -•*\t") for p in _SENTENCE.split(text)]
    return [p for p in parts if len(p.split()) >= 4]


@dataclass(frozen=True, slots=True)
class View:
    """One text embedded for a concept: its label, an alias, a definition or a sentence."""

    concept: int
    kind: str
    text: str
    source: str = ""

    def describe(self) -> str:
        snippet = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        where = f" ({self.source})" if self.source else ""
        return f"{self.kind}{where} '{snippet}'"


def concept_views(concept: Concept, index: int, entries: bool = True) -> list[View]:
    """Several views of a concept, so a query close to any one of them finds it: its label,
    each alias, each definition, each sentence of a longer one and (with `entries`) each
    definition as a glossary prints it, "Label: definition"."""
    views = [View(index, "label", concept.pref_label)]
    acronyms = {label_key(a, singular_last=False) for a in concept.acronyms}
    for alias in [*concept.alt_labels, *concept.hidden_labels]:
        if label_key(alias, singular_last=False) not in acronyms:
            views.append(View(index, "alias", alias))
    for d in concept.definitions:
        views.append(View(index, "definition", d.text, d.source))
        if entries:  # the name in front gives the definition its topic
            views.append(View(index, "entry", f"{concept.pref_label}: {d.text}", d.source))
        sentences = _sentences(d.text)
        if len(sentences) > 1:
            views += [View(index, "sentence", s, d.source) for s in sentences]
    # a phrasing is searched as a query is: without its question wrapper ("is there a term
    # for ..."), so that wrapper words shared by many phrasings match nothing
    views += [View(index, "phrasing", strip_boilerplate(p), "curated") for p in concept.phrasings]
    unique: dict[tuple[str, str], View] = {}
    for v in views:
        unique.setdefault((v.kind if v.kind in ("label", "alias") else "text", v.text), v)
    return list(unique.values())


def concept_document(concept: Concept, index: int) -> list[View]:
    """The single-vector baseline: the label and preferred (or first) definition together."""
    definition = concept.definition or (concept.definitions[0] if concept.definitions else None)
    text = concept.pref_label + (f": {definition.text}" if definition else "")
    return [View(index, "document", text)]


class DenseRetriever(Retriever):
    """Cosine similarity (inner product of unit vectors) between the query and each view.

    A concept scores its best view, plus `second_view` times its second best (two views
    agreeing is evidence), plus `centroid` times the cosine with the mean of all its views
    (what the concept is about overall, less swayed by one lucky sentence). Exact
    `IndexFlatIP` at seed scale; HNSW above `hnsw_threshold` vectors. With `templated`, the
    query is encoded inside the configured template (see `SearchConfig.query_template`)."""

    name = "dense"

    def __init__(
        self,
        index: Any,
        views: Sequence[View],
        file_stem: str,
        second_view: float = 0.0,
        centroid: float = 0.0,
        templated: bool = False,
        centroids: np.ndarray | None = None,
    ) -> None:
        self.index = index
        self.views = list(views)
        self.file_stem = file_stem
        self.second_view = second_view  # weight of a concept's second-best view in its score
        self.centroid = centroid
        self.templated = templated
        self._owner = np.array([v.concept for v in self.views], dtype=np.int64)
        self.n_concepts = int(self._owner.max()) + 1 if len(self._owner) else 0
        self._centroids: np.ndarray | None = None
        if centroid > 0:
            self._centroids = centroids if centroids is not None else self._mean_vectors()
        # Exact index: the vectors as one matrix, and each concept's views as a row of `_grid`
        # (-1 pads), so a query is one matrix product and a few numpy reductions.
        self._matrix: np.ndarray | None = None
        self._grid = np.zeros((0, 0), dtype=np.int64)
        if self.kind == "flat" and self.views:
            self._matrix = np.ascontiguousarray(
                self.index.reconstruct_n(0, len(self.views)), dtype=np.float32
            )
            counts = np.bincount(self._owner, minlength=self.n_concepts)
            self._grid = np.full((self.n_concepts, int(counts.max())), -1, dtype=np.int64)
            filled = np.zeros(self.n_concepts, dtype=np.int64)
            for vid, concept in enumerate(self._owner.tolist()):
                self._grid[concept, filled[concept]] = vid
                filled[concept] += 1

    def texts_of(self, concept: int, skip: str = "") -> list[str]:
        """One concept's view texts, leaving out those of kind `skip`."""
        owned = (
            self._grid[concept][self._grid[concept] >= 0]
            if self._matrix is not None
            else np.flatnonzero(self._owner == concept)
        )
        return [self.views[i].text for i in owned.tolist() if self.views[i].kind != skip]

    def closest(self, query: Query, concept: int, skip: str = "") -> float:
        """The query's best cosine with one concept's views, leaving out those of kind
        `skip` ("phrasing": how close the glossary's own words come)."""
        owned = (  # the exact index keeps each concept's views in a row of `_grid`
            self._grid[concept][self._grid[concept] >= 0]
            if self._matrix is not None
            else np.flatnonzero(self._owner == concept)
        )
        rows = [i for i in owned.tolist() if self.views[i].kind != skip]
        if not rows:
            return 0.0
        vectors = (
            self._matrix[rows]
            if self._matrix is not None
            else np.stack([self.index.reconstruct(i) for i in rows])
        )
        return float((vectors @ self.query_vector(query)[0]).max())

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self.index).__name__ else "flat"

    def _mean_vectors(self, chunk: int = 65536) -> np.ndarray:
        """Unit-length mean of each concept's view vectors, read back from the index a chunk
        at a time (at 100,000 concepts all views at once would be a 600 MB copy)."""
        sums = np.zeros((self.n_concepts, int(self.index.d)), dtype=np.float32)
        for start in range(0, len(self.views), chunk):
            count = min(chunk, len(self.views) - start)
            vectors = self.index.reconstruct_n(start, count)
            np.add.at(sums, self._owner[start : start + count], vectors)
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return sums

    @classmethod
    def build(
        cls,
        views: Sequence[View],
        encoder: TextEncoder,
        config: SearchConfig,
        file_stem: str,
        templated: bool = False,
    ) -> DenseRetriever:
        import faiss

        vectors = np.ascontiguousarray(encoder.encode([v.text for v in views]), dtype=np.float32)
        dimension = vectors.shape[1] if vectors.ndim == 2 and len(vectors) else encoder.dimension
        index: Any
        if len(views) > config.hnsw_threshold:
            index = faiss.IndexHNSWFlat(dimension, config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = max(40, config.hnsw_m * 2)
            index.hnsw.efSearch = config.hnsw_ef_search
        else:
            index = faiss.IndexFlatIP(dimension)
        if len(vectors):
            index.add(vectors)
        return cls(index, views, file_stem, config.second_view, config.centroid, templated)

    def query_vector(self, query: Query) -> np.ndarray:
        source = query.term_vector if self.templated and query.term_vector else query.vector
        return np.ascontiguousarray(source().reshape(1, -1), dtype=np.float32)

    def search(self, query: Query, k: int) -> list[Scored]:
        if not self.views:
            return []
        vector = self.query_vector(query)
        if self._matrix is not None:
            return self._search_exact(vector[0], k)
        # Enough views that k distinct concepts are very likely among them.
        depth = len(self.views) if len(self.views) <= 4096 else min(len(self.views), k * 20)
        scores, ids = self.index.search(vector, depth)
        best: dict[int, list[tuple[float, int]]] = {}
        for score, vid in zip(scores[0].tolist(), ids[0].tolist(), strict=True):
            if vid < 0:
                continue
            found = best.setdefault(int(self._owner[vid]), [])
            if len(found) < 2:
                found.append((float(score), vid))
        concepts = list(best)
        overall = (
            (self._centroids[concepts] @ vector[0]).tolist()
            if self._centroids is not None
            else None
        )
        ranked = []
        for n, concept in enumerate(concepts):
            found = best[concept]
            top, vid = found[0]
            second = found[1][0] if len(found) > 1 else top
            score = top + self.second_view * second
            if overall is not None:
                score += self.centroid * overall[n]
            ranked.append((score, concept, top, vid))
        ranked.sort(key=lambda r: (-r[0], r[1]))
        return [
            Scored(c, cosine, self.views[v].describe(), cosine) for _, c, cosine, v in ranked[:k]
        ]

    def _search_exact(self, vector: np.ndarray, k: int) -> list[Scored]:
        """`search` over every view at once (the flat index's vectors as a matrix)."""
        assert self._matrix is not None
        sims = self._matrix @ vector
        present = self._grid >= 0
        grid = np.where(present, sims[self._grid], -np.inf)
        rows = np.arange(len(grid))
        best = grid.argmax(axis=1)
        top = grid[rows, best]
        grid[rows, best] = -np.inf
        second = grid.max(axis=1)
        second = np.where(np.isfinite(second), second, top)
        score = top + self.second_view * second
        if self._centroids is not None:
            score = score + self.centroid * (self._centroids @ vector)
        has_views = present.any(axis=1)
        candidates = np.flatnonzero(has_views)
        order = candidates[np.lexsort((candidates, -score[candidates]))][:k]
        return [
            Scored(
                int(c),
                float(top[c]),
                self.views[int(self._grid[c, best[c]])].describe(),
                float(top[c]),
            )
            for c in order.tolist()
        ]

    def files(self) -> tuple[str, str]:
        return f"{self.file_stem}.faiss", f"{self.file_stem}.json"

    def save(self, folder: Path) -> list[str]:
        import faiss

        index_file, views_file = self.files()
        faiss.write_index(self.index, str(folder / index_file))
        write_json(folder / views_file, [[v.concept, v.kind, v.text, v.source] for v in self.views])
        written = [index_file, views_file]
        if self._centroids is not None:
            # saved, so loading a large build need not read every vector back to average it
            np.save(folder / f"{self.file_stem}-centroids.npy", self._centroids)
            written.append(f"{self.file_stem}-centroids.npy")
        return written

    @classmethod
    def load(
        cls,
        folder: Path,
        file_stem: str,
        dimension: int,
        second_view: float = 0.0,
        ef_search: int = 128,
        centroid: float = 0.0,
        templated: bool = False,
    ) -> DenseRetriever:
        import faiss

        index_path = folder / f"{file_stem}.faiss"
        try:
            index = faiss.read_index(str(index_path))
        except RuntimeError as exc:
            raise BuildError(f"{index_path} is damaged ({exc}); rebuild with `kg ingest`") from None
        rows = read_json(folder / f"{file_stem}.json")
        try:
            views = [
                View(int(c), sys.intern(str(kind)), str(text), sys.intern(str(src)))
                for c, kind, text, src in rows
            ]
        except (TypeError, ValueError) as exc:
            raise BuildError(f"{folder / file_stem}.json is damaged ({exc}); rebuild") from None
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = ef_search
        if index.d != dimension or index.ntotal != len(views):
            raise BuildError(
                f"{index_path} holds {index.ntotal} vectors of dimension {index.d}, expected "
                f"{len(views)} of dimension {dimension}; rebuild with `kg ingest`"
            )
        centroids = None
        centroids_path = folder / f"{file_stem}-centroids.npy"
        if centroid > 0 and centroids_path.is_file():
            try:
                # mapped, not read: the HNSW path touches only its candidates' rows
                centroids = np.load(centroids_path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise BuildError(f"{centroids_path} is damaged ({exc}); rebuild") from None
            concepts = int(max((v.concept for v in views), default=-1)) + 1
            if centroids.shape != (concepts, dimension) or centroids.dtype != np.float32:
                raise BuildError(
                    f"{centroids_path} holds {centroids.shape} {centroids.dtype}, expected "
                    f"({concepts}, {dimension}) float32; rebuild with `kg ingest`"
                )
        return cls(index, views, file_stem, second_view, centroid, templated, centroids)
