"""Response models: the exact JSON shapes of the public HTTP interface."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Ref(BaseModel):
    id: str
    pref_label: str
    reason: str | None = None


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    concepts: int = Field(examples=[119])


class ConceptSummary(BaseModel):
    id: str = Field(examples=["net-revenue-retention"])
    uri: str
    pref_label: str = Field(examples=["Net Revenue Retention"])
    alt_labels: list[str] = Field(examples=[["NRR", "NDR", "Net Dollar Retention"]])


class ConceptList(BaseModel):
    total: int
    items: list[ConceptSummary]


class SourcedDefinition(BaseModel):
    text: str
    source: str
    source_title: str | None = None
    lines: list[int] | None = None
    term: str | None = None
    shared_with: list[str] = []
    language: str = "en"
    preferred: bool = False


class ConflictSide(BaseModel):
    value: str
    definitions: list[dict[str, str]]


class ConflictOut(BaseModel):
    aspect: str
    positions: list[ConflictSide]


class ConceptDetail(ConceptSummary):
    hidden_labels: list[str]
    language: str = "en"  # of the preferred label
    label_languages: dict[str, str] = {}  # labels in another language than the preferred one
    acronyms: list[str] = []
    phrasings: list[str] = []  # curated everyday wordings: searched, not labels
    definitions: list[SourcedDefinition]
    preferred_definition: str | None = None
    preferred_reason: str = ""
    conflicts: list[ConflictOut] = []
    broader: list[Ref]
    narrower: list[Ref]
    related: list[Ref]
    collections: list[Ref]
    sources: list[str] = []
    former_ids: list[str] = []


class LookupOut(ConceptDetail):
    same_label: list[Ref] = []  # other concepts with the label looked up (a homonym)


class ErrorOut(BaseModel):
    detail: str


class SearchResult(ConceptSummary):
    score: float
    definition: str | None
    signals: dict[str, float] = {}
    evidence: dict[str, str] = {}
    explanation: str = ""


class SearchOut(BaseModel):
    query: str
    results: list[SearchResult]
    confidence: float | None = None  # how sure `ask` would be of the first result
    close: bool = False  # whether the first result is a close match (confidence >= 0.7)


class Citation(BaseModel):
    source: str
    text: str
    title: str | None = None
    concept: str | None = None
    kind: str | None = None


class AnswerConcept(ConceptSummary):
    definition: str | None = None
    score: float | None = None
    role: str | None = None


class AnswerOut(BaseModel):
    question: str
    answer: str
    confidence: float
    concepts: list[AnswerConcept]
    citations: list[Citation]


class Edge(BaseModel):
    source: str
    target: str
    relation: str
    reason: str | None = None
    curated: bool = False


class GraphOut(BaseModel):
    nodes: list[Ref]
    edges: list[Edge]
