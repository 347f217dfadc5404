"""Concepts as plain data: the shapes the CLI's --json and the HTTP API both return."""

from __future__ import annotations

from typing import Any

from ingest.concept import Concept
from ingest.sources import slug
from kg.answer import SURE, judge
from kg.glossary import Glossary
from kg.relations import Link, view_of
from kg.search import Hit


def ref(concept: Concept) -> dict[str, str]:
    return {"id": concept.id, "pref_label": concept.pref_label}


def summary(glossary: Glossary, concept: Concept) -> dict[str, Any]:
    return {
        "id": concept.id,
        "uri": glossary.uri(concept),
        "pref_label": concept.pref_label,
        "alt_labels": concept.alt_labels,
    }


def detail(glossary: Glossary, concept: Concept) -> dict[str, Any]:
    """Everything about one concept: labels, every sourced definition, conflicts."""
    titles = {s.id: s.title for s in glossary.sources}
    preferred = concept.definition
    return {
        **summary(glossary, concept),
        "hidden_labels": concept.hidden_labels,
        "language": concept.language or "en",  # of its preferred label
        "label_languages": concept.label_languages,  # labels in another language than that
        "acronyms": concept.acronyms,
        "phrasings": concept.phrasings,
        "definitions": [
            {
                "text": d.text,
                "source": d.source,
                "source_title": titles.get(d.source),
                "lines": list(d.lines) if d.lines else None,
                "term": d.term,
                "shared_with": list(d.shared_with),
                "language": d.language or "en",
                "preferred": d is preferred,
            }
            for d in concept.definitions
        ],
        "preferred_definition": preferred.text if preferred else None,
        "preferred_reason": concept.preferred_reason,
        "conflicts": [
            {
                "aspect": x.aspect,
                "positions": [
                    {
                        "value": value,
                        "definitions": [
                            {
                                "source": concept.definitions[i].source,
                                "text": concept.definitions[i].text,
                            }
                            for i in idx
                        ],
                    }
                    for value, idx in x.positions
                ],
            }
            for x in concept.conflicts
        ],
        **relations(glossary, concept),
        "collections": [
            {"id": slug(name), "pref_label": name} for name in glossary.collections_of(concept.id)
        ],
        "sources": concept.sources,
        "former_ids": concept.former_ids,
    }


def relations(glossary: Glossary, concept: Concept) -> dict[str, list[dict[str, Any]]]:
    """Broader, narrower and related concepts, each with the reason for the link."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, links in view_of(concept.id, glossary.links).items():
        refs = []
        for link in sorted(links, key=lambda k: k.target):
            other = glossary.get(link.target)
            if other is not None:
                refs.append({**ref(other), "reason": link.reason, "curated": link.curated})
        out[kind] = refs
    return out


def graph(glossary: Glossary, ids: list[str], links: list[Link]) -> dict[str, Any]:
    """Nodes and edges, as /neighbors and /path return them."""
    nodes = [ref(c) for i in ids if (c := glossary.get(i)) is not None]
    edges = [
        {
            "source": k.source,
            "target": k.target,
            "relation": k.kind,
            "reason": k.reason,
            "curated": k.curated,
        }
        for k in links
    ]
    return {"nodes": nodes, "edges": edges}


def path(glossary: Glossary, steps: list[Link], start: str) -> dict[str, Any]:
    ids = [start, *(step.target for step in steps)]
    return graph(glossary, ids, steps)


def explanation(concept: Concept) -> dict[str, Any]:
    """The entries behind a concept and why each joined."""
    return {
        "id": concept.id,
        "pref_label": concept.pref_label,
        "entries": [
            {
                "source": j.source,
                "lines": list(j.lines) if j.lines else None,
                "term": j.term,
                "reasons": list(j.reasons),
            }
            for j in concept.joined
        ],
        "preferred_reason": concept.preferred_reason,
    }


def search_results(glossary: Glossary, query: str, hits: list[Hit]) -> dict[str, Any]:
    """The /search shape: best first, each with why it matched."""
    results = []
    for hit in hits:
        concept = glossary.get(hit.concept_id)
        if concept is None:
            continue
        preferred = concept.definition
        results.append(
            {
                **summary(glossary, concept),
                "score": round(float(hit.score), 6),
                "definition": preferred.text if preferred else None,
                "signals": {k: round(float(v), 4) for k, v in hit.signals.items()},
                "evidence": dict(hit.evidence),
                "explanation": hit.explanation,
            }
        )
    # how sure `ask` would be of the best concept, judged on the top five of this search
    # (deeper searches can rank a little differently, so past the fusion's own depth the
    # question is searched again); the web page says when no hit is a close match
    shared = hits if len(hits) <= glossary.index.config.candidates else ()
    best = round(judge(query, glossary.index, shared)[1], 3) if results else None
    return {"query": query, "results": results, "confidence": best, "close": _close(best)}


def _close(best: float | None) -> bool:
    return best is not None and best >= SURE


def answer(glossary: Glossary, question: str) -> dict[str, Any]:
    """The /ask shape; concepts carry their URIs."""
    data = glossary.ask(question)
    concepts = []
    for item in data.get("concepts", []):
        concept = glossary.get(item["id"]) if isinstance(item, dict) else glossary.get(item)
        if concept is not None:
            extra = item if isinstance(item, dict) else {}
            concepts.append({**extra, **summary(glossary, concept)})
    return {**data, "concepts": concepts}
