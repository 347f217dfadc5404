"""The concept graph as networkx sees it: neighbours to a depth, and explained paths.

Links are walked in either direction; a step against a link's direction is reported as
the inverse relation (a step up a "broader" link read from the wider concept is
"narrower"), so every step reads "source <kind> target".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import pairwise

import networkx as nx

from kg.errors import BadQuery, NotFound
from kg.relations import Link

MAX_DEPTH = 3
_INVERSE = {"broader": "narrower", "narrower": "broader", "related": "related"}


class ConceptGraph:
    """Concepts (by id) joined by links; one link per pair of concepts."""

    def __init__(self, concept_ids: Iterable[str], links: Iterable[Link]) -> None:
        self._graph = nx.Graph()
        self._graph.add_nodes_from(concept_ids)
        for link in links:
            known = link.source in self._graph and link.target in self._graph
            # the first link a pair has is kept; infer_links gives each pair only one
            if known and not self._graph.has_edge(link.source, link.target):
                self._graph.add_edge(link.source, link.target, link=link)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self._graph

    def __len__(self) -> int:
        return self._graph.number_of_nodes()

    def degree(self, concept_id: str) -> int:
        self._need(concept_id)
        return int(self._graph.degree(concept_id))

    def neighbors(self, concept_id: str, depth: int = 1) -> tuple[list[str], list[Link]]:
        """Concepts within `depth` steps (the concept itself first, then nearest first)
        and every link among them, as stored."""
        self._need(concept_id)
        if not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
            raise BadQuery(f"depth must be between 1 and {MAX_DEPTH}, not {depth!r}")
        distance = nx.single_source_shortest_path_length(self._graph, concept_id, cutoff=depth)
        nodes = sorted(distance, key=lambda n: (distance[n], n))
        inside = set(nodes)
        links = [
            data["link"]
            for a, b, data in self._graph.edges(nodes, data=True)
            if a in inside and b in inside
        ]
        unique = {(k.source, k.target): k for k in links}
        ordered = sorted(
            unique.values(),
            key=lambda k: (min(distance[k.source], distance[k.target]), k.source, k.target),
        )
        return nodes, ordered

    def path(self, a: str, b: str) -> list[Link] | None:
        """The shortest chain of links from `a` to `b`, each step turned to read from the
        concept before it to the one after; [] when a is b; None when none joins them."""
        self._need(a)
        self._need(b)
        if a == b:
            return []
        try:
            # deterministic: the graph is built in the links' (sorted) order
            nodes = nx.shortest_path(self._graph, a, b)
        except nx.NetworkXNoPath:
            return None
        return [self._step(x, y) for x, y in pairwise(nodes)]

    def _step(self, x: str, y: str) -> Link:
        link: Link = self._graph.edges[x, y]["link"]
        if link.source == x:
            return link
        return replace(link, source=x, target=y, kind=_INVERSE[link.kind])

    def components(self) -> Sequence[set[str]]:
        """Connected groups of concepts, largest first."""
        return sorted(nx.connected_components(self._graph), key=lambda c: (-len(c), min(c)))

    def _need(self, concept_id: str) -> None:
        if concept_id not in self._graph:
            raise NotFound(f"no concept with id {concept_id!r} in the graph")
