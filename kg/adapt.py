"""Fine-tuning the encoder on a glossary's own words (domain adaptation), offline.

MiniLM learnt English from the web, not this glossary: it does not know that "customers
walking away" is Churn. `adapt` teaches it with what a build already holds and nothing else.
Each concept's curated phrasings, aliases, acronyms, hidden labels and preferred label are
pulled towards its "Label: definition" text and away from the other concepts' in the same
batch (the in-batch softmax of sentence-transformers' MultipleNegativesRankingLoss, with one
pair per concept in a batch so no concept is its own negative). No evaluation question is
used. The result is an ordinary sentence-transformers folder: set KG_MODEL to it and ingest.

Training needs PyTorch and takes minutes on a CPU, so it is a separate, explicit step
(`kg adapt`), never part of an ingest. It is seeded, and records what it learnt from in
`kg-adapt.json` beside the weights; that file's fingerprint is part of the model's id, so
caches and builds made with other weights are never reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest.concept import Concept
from kg.errors import KgError

MANIFEST = "kg-adapt.json"


class AdaptError(KgError):
    """The encoder cannot be adapted to this glossary."""


@dataclass(frozen=True, slots=True)
class Recipe:
    """How the encoder is trained; chosen on the tune split (data/eval/search-ablations.md)."""

    epochs: int = 2
    batch_size: int = 64  # pairs per step, each from another concept
    learning_rate: float = 2e-5
    max_tokens: int = 64  # longer texts are cut: a definition's start says what it is
    temperature: float = 20.0  # sentence-transformers' default scale for cosine logits
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Pair:
    """One training example: a way of naming a concept, and the text it should land near."""

    anchor: str
    positive: str
    concept: int


@dataclass(frozen=True, slots=True)
class Report:
    """What `adapt` did, as written to `kg-adapt.json`."""

    base: str
    fingerprint: str
    concepts: int
    pairs: int
    steps: int
    seconds: float
    recipe: dict[str, Any]
    weights_sha256: str


def training_pairs(concepts: Sequence[Concept]) -> list[Pair]:
    """(name, "Label: definition") for every way the build names each concept."""
    pairs: list[Pair] = []
    for n, concept in enumerate(concepts):
        definition = concept.definition
        positive = f"{concept.pref_label}: {definition.text}" if definition else concept.pref_label
        names = [
            concept.pref_label,
            *concept.alt_labels,
            *concept.acronyms,
            *concept.hidden_labels,
            *concept.phrasings,
        ]
        seen: set[str] = set()
        for name in names:
            key = name.casefold().strip()
            if key and key not in seen and name != positive:
                seen.add(key)
                pairs.append(Pair(name, positive, n))
    return pairs


def fingerprint(base: str, pairs: Sequence[Pair], recipe: Recipe) -> str:
    """A short id of everything the adapted weights depend on."""
    digest = hashlib.sha256(json.dumps([base, asdict(recipe)]).encode())
    for pair in pairs:
        digest.update(f"{pair.concept}\t{pair.anchor}\t{pair.positive}\n".encode())
    return digest.hexdigest()[:16]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's `kg-adapt.json`, or None if it holds no adapted model."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def base_model(name: str) -> str:
    """The model to start from: adapting an adapted model starts again from its base."""
    manifest = read_manifest(Path(name).expanduser())
    return str(manifest["base"]) if manifest and "base" in manifest else name


def adapt(
    concepts: Sequence[Concept],
    base: str,
    out: Path,
    recipe: Recipe | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> Report:
    """Fine-tune `base` (a KG_MODEL name) on `concepts` and save it to `out`, atomically."""
    from kg.embed import model_path  # resolves the packaged model without importing torch

    recipe = recipe or Recipe()
    out = out.expanduser()
    if out.exists() and (
        not out.is_dir() or (read_manifest(out) is None and any(out.iterdir()))
    ):  # checked first: training takes minutes
        raise AdaptError(f"{out} holds something other than an adapted model; choose another --out")
    pairs = training_pairs(concepts)
    if len({p.concept for p in pairs}) < 2:
        raise AdaptError(
            "adapting needs at least two concepts to tell apart; this build has "
            f"{len(concepts)}: ingest a glossary first"
        )
    source = model_path(base)
    rng = random.Random(recipe.seed)
    schedule = [batch for _ in range(recipe.epochs) for batch in _batches(pairs, recipe, rng)]
    clock = time.perf_counter()
    model = _train(source, pairs, schedule, recipe, on_step)
    seconds = round(time.perf_counter() - clock, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        model.save(str(staging))
        report = Report(
            base=base,
            fingerprint=fingerprint(base, pairs, recipe),
            concepts=len({p.concept for p in pairs}),
            pairs=len(pairs),
            steps=len(schedule),
            seconds=seconds,
            recipe=asdict(recipe),
            weights_sha256=_weights_digest(staging),
        )
        (staging / MANIFEST).write_text(json.dumps(asdict(report), indent=2) + "\n", "utf-8")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except OSError as exc:
        raise AdaptError(f"cannot save the adapted model to {out}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # a failed save leaves no half-written folder
    return report


def is_current(out: Path, concepts: Sequence[Concept], base: str, recipe: Recipe) -> bool:
    """Whether `out` already holds `base` adapted to these concepts with this recipe."""
    manifest = read_manifest(out)
    expected = fingerprint(base, training_pairs(concepts), recipe)
    return bool(manifest and manifest.get("fingerprint") == expected)


def _batches(pairs: Sequence[Pair], recipe: Recipe, rng: random.Random) -> list[list[int]]:
    """Pair indexes per step for one epoch, freshly shuffled: at most one pair per concept in
    a batch, so no concept's own text is counted as a wrong answer for it."""
    order = list(range(len(pairs)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    while order:
        batch: list[int] = []
        taken: set[int] = set()
        rest: list[int] = []
        for i in order:
            if pairs[i].concept not in taken and len(batch) < recipe.batch_size:
                batch.append(i)
                taken.add(pairs[i].concept)
            else:
                rest.append(i)
        if len(batch) >= 2:  # a lone pair has no negative to learn from
            batches.append(batch)
        order = rest if len(batch) >= 2 else []
    return batches


def _train(
    source: Path,
    pairs: Sequence[Pair],
    schedule: list[list[int]],
    recipe: Recipe,
    on_step: Callable[[int, int], None] | None,
) -> Any:
    import torch
    import torch.nn.functional as F
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(recipe.seed)
    try:
        model = SentenceTransformer(str(source), device="cpu")
    except (OSError, ValueError) as exc:
        raise AdaptError(f"cannot load the model in {source} to adapt it: {exc}") from exc
    model.max_seq_length = recipe.max_tokens
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate)

    def embed(texts: list[str]) -> Any:
        features = model.preprocess(texts)
        return F.normalize(model(features)["sentence_embedding"], dim=-1)

    for step, batch in enumerate(schedule, 1):
        anchors = embed([pairs[i].anchor for i in batch])
        positives = embed([pairs[i].positive for i in batch])
        logits = recipe.temperature * anchors @ positives.T
        loss = F.cross_entropy(logits, torch.arange(len(batch)))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if on_step:
            on_step(step, len(schedule))
    model.eval()
    return model


def _weights_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
