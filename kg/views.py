"""Concepts as plain data: the shapes the CLI's --json and the HTTP API both return."""

from __future__ import annotations

from typing import Any

from ingest.concept import Concept
from kg.glossary import Glossary


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
        "acronyms": concept.acronyms,
        "definitions": [
            {
                "text": d.text,
                "source": d.source,
                "source_title": titles.get(d.source),
                "lines": list(d.lines) if d.lines else None,
                "term": d.term,
                "shared_with": list(d.shared_with),
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
        "broader": [],
        "narrower": [],
        "related": [],
        "collections": [],
        "sources": concept.sources,
        "former_ids": concept.former_ids,
    }


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
