"""The `kg` command line: a thin layer over `Glossary`.

Errors the user can fix end in one line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ingest.curation import load_curation
from ingest.errors import IngestError
from ingest.normalize import fold
from ingest.pipeline import collect, read_paths
from ingest.readers import FORMATS
from kg import build, views
from kg.adapt import Recipe
from kg.config import Settings
from kg.embed import Encoder
from kg.errors import BadQuery, KgError
from kg.glossary import Glossary
from kg.records import entry_to_row

SHOWN = 10  # warnings of one kind printed before "and N more"


class _Output(Console):
    """Standard output: a reader that stops reading (`kg show X | head -1`) ends the command
    quietly and successfully, as it would a pager."""

    def on_broken_pipe(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)  # nothing more to flush at exit
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(0)


# piped output is never cut to a width (tables and lines stay whole for the next program)
# (and glossary text is printed as written: ":smile:" stays, it is no emoji code here)
out = _Output(soft_wrap=True, width=None if sys.stdout.isatty() else 100_000, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)


def build_dir_option(f: Any) -> Any:
    return click.option(
        "--build-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Build folder [default: $KG_BUILD_DIR or data/build].",
    )(f)


def json_option(f: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON, not a table.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def app() -> None:
    """Turn messy business glossaries into a clean, linked, searchable vocabulary."""


def _settings(build_dir: Path | None) -> Settings:
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # a setting that cannot work: say which, before doing anything
        raise click.UsageError(str(exc)) from None
    return replace(settings, build_dir=build_dir) if build_dir is not None else settings


def _encoder(settings: Settings) -> Encoder:
    return Encoder.from_settings(settings)


def _load(build_dir: Path | None) -> Glossary:
    settings = _settings(build_dir)
    return Glossary.load(settings.build_dir, settings.base_uri, encoder=_encoder(settings))


def _code_fingerprint() -> str:
    """A hash of the pipeline's own code, so a build from older code counts as stale."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for package in ("ingest", "kg"):
        for file in sorted((root / package).rglob("*.py")):
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@app.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Force the format.")
@click.option("--if-stale", is_flag=True, help="Do nothing if the build is already current.")
@build_dir_option
def ingest(
    paths: tuple[Path, ...], fmt: str | None, if_stale: bool, build_dir: Path | None
) -> None:
    """Build the glossary from files and folders (default data/raw/).

    The previous build stays in place until the new one is complete.
    """
    settings = _settings(build_dir)
    targets = list(paths) or [settings.raw_dir]
    files, _ = collect(targets)
    inputs = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    inputs["<code>"] = _code_fingerprint()
    encoder = _encoder(settings)
    inputs["<model>"] = encoder.model_id  # another model or precision: rebuild
    if settings.curation.is_file():
        inputs["<curation>"] = hashlib.sha256(settings.curation.read_bytes()).hexdigest()
    if if_stale and _is_current(settings.build_dir, inputs):
        err.print(f"build in {settings.build_dir} is current", markup=False)
        return
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("reading", total=len(files))

        def on_file(path: Path) -> None:
            progress.update(task, advance=1, description=f"reading {path.name}")

        clock = time.perf_counter()
        sources, skipped = read_paths(targets, fmt=fmt, on_file=on_file)
        read_seconds = time.perf_counter() - clock
        progress.update(task, description="merging, relating, indexing")
        glossary = Glossary.build(
            sources,
            curation=load_curation(settings.curation),
            encoder=encoder,
            previous_ids=Glossary.previous_ids(settings.build_dir),
            base_uri=settings.base_uri,
        )
        encoder.save_cache()
        progress.update(task, description="saving")
        clock = time.perf_counter()
        glossary.save(settings.build_dir, inputs)
        glossary.timings = {
            "read": read_seconds,
            **glossary.timings,
            "save": time.perf_counter() - clock,
        }
    for note in skipped:
        err.print(f"note: {note}", highlight=False, markup=False)
    _print_summary(glossary, settings.build_dir)
    if settings.curation.is_file():
        absent = sum("no concept is named" in n for n in glossary.report.notes)
        hint = (
            f"; {absent} of its decisions name no concept here: it may have been written for "
            "another glossary (set KG_CURATION to your own file, or to an empty one)"
            if absent >= 10
            else ""
        )
        out.print(f"curation: {settings.curation}{hint}", highlight=False, markup=False)
    else:
        out.print(
            f"curation: none (no file at {settings.curation}; set KG_CURATION to use one): "
            "no phrasings or reviewed decisions applied",
            highlight=False,
        )


def _is_current(build_dir: Path, inputs: dict[str, str]) -> bool:
    try:
        manifest = build.read_manifest(build_dir)
    except KgError:
        return False
    return bool(manifest.get("inputs") == inputs)


def _print_summary(glossary: Glossary, build_dir: Path) -> None:
    table = Table(title=f"Built {build_dir}", title_justify="left")
    for column in ("source", "format", "entries", "undefined", "noise lines", "warnings"):
        table.add_column(column, justify="left" if column in ("source", "format") else "right")
    for s in glossary.sources:
        entries, undefined = glossary.entry_counts(s)
        table.add_row(
            s.id,
            f"{s.format} ({s.language})" if s.language else s.format,  # "csv (de)"
            str(entries),
            str(undefined),
            str(s.dropped_lines),
            str(len(s.warnings)),
        )
    out.print(table)
    c = glossary.counts()
    out.print(
        f"{_n(c['sources'], 'source')}, {_n(c['entries'], 'entry', 'entries')} "
        f"({c['undefined']} undefined), {_n(c['dropped_lines'], 'noise line')} dropped; "
        f"{_n(c['entries'], 'entry', 'entries')} became {_n(c['concepts'], 'concept')} "
        f"through {_n(c['merges'], 'merge')}; {_n(c['conflicts'], 'conflict')}; "
        f"{_n(c['warnings'], 'warning')}",
        highlight=False,
    )
    kinds = ", ".join(f"{kind} {n}" for kind, n in glossary.evidence().most_common())
    out.print(f"merges by evidence: {kinds or 'none'}", highlight=False)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in glossary.timings.items())
    if stages:
        out.print(f"time: {stages}", highlight=False)
    r = glossary.relation_stats()
    by_kind = ", ".join(f"{k} {n}" for k, n in sorted(r["by_kind"].items()))
    out.print(
        f"relations: {r['links']} ({by_kind or 'none'}; {r['curated']} curated); links per concept "
        f"min {r['min']}, median {r['median']}, max {r['max']}; {r['isolated']} isolated; "
        f"{len(glossary.collections)} collections",
        highlight=False,
    )
    bare = [c.pref_label for c in glossary.concepts if not c.phrasings]
    phrased = len(glossary.concepts) - len(bare)
    out.print(
        f"phrasings: {sum(len(c.phrasings) for c in glossary.concepts)} for {phrased} concepts"
        + (
            f"; none yet for {len(bare)} (e.g. {', '.join(bare[:3])}): add [[phrasing]] to "
            "the curation file so everyday questions find them"
            if bare
            else ""
        ),
        highlight=False,
        markup=False,
    )
    index = glossary.index
    encoder = index.encoder
    precision = getattr(encoder, "precision", "fp32")
    out.print(
        f"search index: {len(index.views.views)} dense views "
        f"({'exact' if index.views.kind == 'flat' else 'HNSW, approximate'}), "
        f"{getattr(encoder, 'name', '?')} on {getattr(encoder, 'backend', '?')}, "
        + ("8-bit weights" if precision == "int8" else "full-precision weights"),
        highlight=False,
    )
    for s in glossary.sources:
        for w in s.warnings[:SHOWN]:
            where = f"{s.path.name}:{w.line}" if w.line else s.path.name
            out.print(f"  warning {where}: {w.message}", highlight=False, markup=False)
        if len(s.warnings) > SHOWN:
            out.print(
                f"  ... and {len(s.warnings) - SHOWN} more warnings from {s.path.name}",
                highlight=False,
            )
    for row in glossary.report.unplaced:
        out.print(
            f"  warning {row['source']}:{row['lines'][0] if row['lines'] else ''}: "
            "definition with no term was not made a concept",
            highlight=False,
        )
    notes = glossary.report.notes
    for note in notes[:SHOWN]:
        out.print(f"  warning {note}", highlight=False, markup=False)
    if len(notes) > SHOWN:
        out.print(
            f"  ... and {len(notes) - SHOWN} more warnings from the curation file and merging "
            "(kg merges --json lists them)",
            highlight=False,
        )
    refused = glossary.report.refused
    for note in refused[:SHOWN]:
        out.print(f"  kept apart: {note}", highlight=False, markup=False)
    if len(refused) > SHOWN:
        out.print(
            f"  ... and {len(refused) - SHOWN} more kept apart (kg merges --json)", highlight=False
        )


@app.command()
@click.option("--source", help="Only this source id.")
@json_option
@build_dir_option
def entries(source: str | None, as_json: bool, build_dir: Path | None) -> None:
    """List the entries read from the sources, to audit what was read."""
    rows = _load(build_dir).entries(source)
    if as_json:
        _print_json([entry_to_row(e) for e in rows])
        return
    table = Table(show_lines=False)
    for column in ("source", "lines", "term", "acronyms", "flags", "definition"):
        table.add_column(column, overflow="fold")
    for e in rows:
        lines = f"{e.lines[0]}-{e.lines[1]}" if e.lines else ""
        definition = (e.definition or "").replace("\n", " ")
        table.add_row(
            *map(
                escape,  # glossary text is no markup: "[in USD]" is printed, "[/]" no error
                (
                    e.source,
                    lines,
                    e.term or "(unknown)",
                    ", ".join(e.acronyms),
                    ", ".join(sorted(e.flags)),
                    definition[:80] + ("…" if len(definition) > 80 else ""),
                ),
            )
        )
    out.print(table)


@app.command()
@click.argument("label_or_id")
@json_option
@build_dir_option
def show(label_or_id: str, as_json: bool, build_dir: Path | None) -> None:
    """One concept: labels, every sourced definition, conflicts and relations."""
    glossary = _load(build_dir)
    data = views.detail(glossary, glossary.concept(label_or_id))
    if as_json:
        _print_json(data)
        return
    own = data["language"]
    tongue = f" [{own}]" if data["label_languages"] or own != "en" else ""
    out.print(f"[bold]{escape(data['pref_label'])}[/bold]{escape(tongue)}  ({data['id']})")
    others = [c for c in glossary.named(label_or_id) if c.id != data["id"]]
    if others:  # "backlog" is an id, and a name of backlog-2 too after a [[split]]
        which = ", ".join(f"{c.id} (from {', '.join(c.sources)})" for c in others)
        out.print(escape(f"{label_or_id!r} also names {which}"), highlight=False)

    def tagged(labels: list[str]) -> str:  # "Weiterempfehlungsrate [de]" beside English ones
        langs = data["label_languages"]
        return ", ".join(f"{x} [{langs[x]}]" if x in langs else x for x in labels)

    if data["alt_labels"]:
        out.print(escape("also: " + tagged(data["alt_labels"])), highlight=False)
    if data["hidden_labels"]:
        out.print(escape("misspelt as: " + tagged(data["hidden_labels"])), highlight=False)
    if data["phrasings"]:
        out.print(escape("asked as: " + "; ".join(data["phrasings"])), highlight=False)
    for d in data["definitions"]:
        mark = "*" if d["preferred"] else "-"
        where = f"{d['source']}:{d['lines'][0]}" if d["lines"] else d["source"]
        shared = f" (shared with {', '.join(d['shared_with'])})" if d["shared_with"] else ""
        out.print(
            f" {mark} {escape(d['text'])}  [dim]{escape(f'({where}{shared})')}[/dim]",
            highlight=False,
        )
    for conflict in data["conflicts"]:
        sides = "; ".join(
            f"{p['value']}: {', '.join(x['source'] for x in p['definitions'])}"
            for p in conflict["positions"]
        )
        out.print(
            f"[yellow]sources disagree on {escape(conflict['aspect'])}[/yellow]: {escape(sides)}",
            highlight=False,
        )
    if not data["definitions"]:
        named = ", ".join(data["sources"])
        out.print(
            f" no source defines it [dim]{escape(f'(named in {named})')}[/dim]", highlight=False
        )
    for kind in ("broader", "narrower", "related"):
        for other in data[kind]:
            mark = " (curated)" if other["curated"] else ""
            out.print(f" {kind} {escape(other['pref_label'])}{mark}", highlight=False)
            out.print(f"     [dim]{escape(other['reason'])}[/dim]", highlight=False)


@app.command()
@click.argument("label_or_id")
@json_option
@build_dir_option
def explain(label_or_id: str, as_json: bool, build_dir: Path | None) -> None:
    """The entries behind a concept and why each joined it."""
    data = views.explanation(_load(build_dir).concept(label_or_id))
    if as_json:
        _print_json(data)
        return
    label, count = escape(data["pref_label"]), len(data["entries"])
    out.print(f"[bold]{label}[/bold]  ({data['id']}): {count} entries")
    for e in data["entries"]:
        where = f"{e['source']}:{e['lines'][0]}-{e['lines'][1]}" if e["lines"] else e["source"]
        out.print(escape(f" - {e['term']!r} from {where}"), highlight=False)
        for reason in e["reasons"] or ["(the first entry; others joined it)"]:
            out.print(escape(f"     {reason}"), highlight=False)
    out.print(escape(f"preferred definition: {data['preferred_reason']}"), highlight=False)


@app.command()
@json_option
@build_dir_option
def conflicts(as_json: bool, build_dir: Path | None) -> None:
    """Concepts whose sources disagree on what they are."""
    glossary = _load(build_dir)
    rows = [views.detail(glossary, c) for c in glossary.conflicts()]
    if as_json:
        _print_json([{k: r[k] for k in ("id", "pref_label", "conflicts")} for r in rows])
        return
    for r in rows:
        out.print(f"[bold]{escape(r['pref_label'])}[/bold] ({r['id']})")
        for conflict in r["conflicts"]:
            out.print(escape(f"  disagree on {conflict['aspect']}:"), highlight=False)
            for p in conflict["positions"]:
                for d in p["definitions"]:
                    line = f"    {p['value']} - {d['source']}: {d['text']}"
                    out.print(escape(line), highlight=False)
    if not rows:
        out.print("no conflicts")


@app.command()
@json_option
@build_dir_option
def merges(as_json: bool, build_dir: Path | None) -> None:
    """The merge report: every concept formed from more than one source."""
    glossary = _load(build_dir)
    rows = [views.explanation(c) for c in glossary.merged()]
    if as_json:
        _print_json(
            {
                "evidence": glossary.report.evidence,
                "concepts": rows,
                "kept_apart": glossary.report.refused,
                "notes": glossary.report.notes,
            }
        )
        return
    kinds = ", ".join(f"{k} {n}" for k, n in glossary.evidence().most_common())
    out.print(
        f"{len(rows)} concepts from several sources; merges by evidence: {kinds}", highlight=False
    )
    for r in rows:
        sources = sorted({e["source"] for e in r["entries"]})
        names = sorted({e["term"] for e in r["entries"]})
        named = escape(f" {r['pref_label']} ({r['id']}): {', '.join(names)}")
        out.print(f"{named}  [dim]{escape(', '.join(sources))}[/dim]", highlight=False)


@app.command()
@click.argument("label_or_id")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 3))
@json_option
@build_dir_option
def related(label_or_id: str, depth: int, as_json: bool, build_dir: Path | None) -> None:
    """Neighbouring concepts, each with the relation and its reason."""
    glossary = _load(build_dir)
    ids, links = glossary.neighbors(label_or_id, depth)
    data = views.graph(glossary, ids, links)
    if as_json:
        _print_json(data)
        return
    names = {n["id"]: escape(n["pref_label"]) for n in data["nodes"]}
    out.print(f"[bold]{names[ids[0]]}[/bold]: {_n(len(ids) - 1, 'concept')} within {depth}")
    for e in data["edges"]:
        mark = " (curated)" if e["curated"] else ""
        out.print(
            f"  {names[e['source']]} --{e['relation']}--> {names[e['target']]}{mark}",
            highlight=False,
        )
        out.print(f"      [dim]{escape(e['reason'])}[/dim]", highlight=False)


@app.command()
@click.argument("start")
@click.argument("end")
@json_option
@build_dir_option
def path(start: str, end: str, as_json: bool, build_dir: Path | None) -> None:
    """The shortest explained chain of relations between two concepts."""
    glossary = _load(build_dir)
    first = glossary.concept(start)
    data = views.path(glossary, glossary.path(start, end), first.id)
    if as_json:
        _print_json(data)
        return
    names = {n["id"]: escape(n["pref_label"]) for n in data["nodes"]}
    out.print(f"[bold]{names[first.id]}[/bold]", highlight=False)
    for e in data["edges"]:
        out.print(f"  --{e['relation']}--> [bold]{names[e['target']]}[/bold]", highlight=False)
        out.print(f"      [dim]{escape(e['reason'])}[/dim]", highlight=False)


@app.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "xml", "json-ld", "nt"]),
    default="turtle",
    show_default=True,
)
@click.option(
    "-o",
    "output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
@build_dir_option
def export(fmt: str, output: Path | None, build_dir: Path | None) -> None:
    """The SKOS vocabulary."""
    data, _ = _load(build_dir).export(fmt)
    if output is None or str(output) == "-":  # "-o -": standard output, as tools take it
        _write(data)
    else:
        if not output.parent.is_dir():
            raise click.ClickException(
                f"cannot write {output}: folder {output.parent} does not exist; create it first"
            )
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
        err.print(f"wrote {len(data):,} bytes of {fmt} to {output}", highlight=False, markup=False)


@app.command()
@click.argument("query")
@click.option(
    "-k", "k", default=10, show_default=True, type=click.IntRange(1, 100), help="How many results."
)
@click.option("--explain", is_flag=True, help="Show which signals matched.")
@json_option
@build_dir_option
def search(query: str, k: int, explain: bool, as_json: bool, build_dir: Path | None) -> None:
    """Ranked concepts for a plain-language query."""
    glossary = _load(build_dir)
    data = views.search_results(glossary, query, glossary.search(query, k))
    if as_json:
        _print_json(data)
        return
    if data["results"] and not data["close"]:  # as the web page says it
        out.print(
            escape(f"no concept is a close match for {query!r}; the nearest:"), highlight=False
        )
    for n, r in enumerate(data["results"], start=1):
        alt = _aliases(r["alt_labels"], query)
        label = escape(r["pref_label"])
        out.print(f"{n:>2}. [bold]{label}[/bold]{escape(alt)}  {r['score']:.3f}", highlight=False)
        if r["definition"]:
            out.print(escape(f"    {_clip(r['definition'], 160)}"), highlight=False)
        if explain:
            out.print(f"    [dim]{escape(r['explanation'])}[/dim]", highlight=False)
    if not data["results"]:
        out.print("no results")


@app.command()
@click.argument("question")
@json_option
@build_dir_option
def ask(question: str, as_json: bool, build_dir: Path | None) -> None:
    """A plain-language answer built only from the glossary's own definitions."""
    data = views.answer(_load(build_dir), question)
    if as_json:
        _print_json(data)
        return
    out.print(escape(data["answer"]), highlight=False)
    out.print(f"[dim]confidence {data['confidence']:.2f}[/dim]")
    for n, c in enumerate(data["citations"], start=1):
        out.print(escape(f"  [{n}] {c['source']}: {_clip(c['text'], 150)}"), highlight=False)


def _clip(text: str, limit: int) -> str:
    """`text` on one line, cut at a word before `limit` characters with "…" if longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    if flat[limit - 1] != " ":  # cut inside a word: drop its start
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:") + "…"


def _aliases(aliases: list[str], query: str, shown: int = 4) -> str:
    """ " (NRR, NDR, ...)": the aliases the query uses first, then the others, up to `shown`."""
    if not aliases:
        return ""
    typed = fold(query)
    first = sorted(aliases, key=lambda a: f" {fold(a)} " not in f" {typed} ")
    more = f", +{len(aliases) - shown} more" if len(aliases) > shown else ""
    return f" ({', '.join(first[:shown])}{more})"


@app.command(name="eval")
@click.argument("questions", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@json_option
@build_dir_option
def evaluate_command(questions: Path, as_json: bool, build_dir: Path | None) -> None:
    """Hit@1, Hit@5 and MRR@10 on a questions file, for hybrid, BM25 alone and dense alone.

    QUESTIONS is a tab-separated file with the header `question expected_label category
    split`: expected_label is a label of the right concept ("A|B" when two answer it; empty
    for a question the glossary cannot answer), category is direct, short, paraphrase or
    unanswerable, and split is any name (e.g. tune, heldout). Lines starting with # are
    comments. bm25-text and dense read the glossary's own labels and definitions; bm25 and
    views read the curated phrasings too, as the hybrid does."""
    from kg.evaluate import evaluate, format_report, glossary_text_bm25

    glossary = _load(build_dir)

    def resolve(label: str) -> str | None:
        found = glossary.lookup(label)
        return found.id if found else None

    index = glossary.index
    text = glossary_text_bm25(index, glossary.concepts)
    result = evaluate(index, questions, resolve=resolve, baselines={"bm25-text": text})
    result["model"] = _settings(build_dir).model
    if not result["confidence"]:
        raise BadQuery(
            f"{questions}: nothing to measure: no question has a label the glossary holds "
            f"({len(result['unresolved'])} skipped)"
        )
    if as_json:
        _print_json(result)
    else:
        out.print(format_report(result), highlight=False)


@app.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the adapted model [default: <KG_CACHE_DIR>/adapted].",
)
@click.option(
    "--epochs",
    type=click.IntRange(1, 50),
    default=Recipe().epochs,
    show_default=True,
    help="Passes over the training pairs.",
)
@click.option("--if-stale", is_flag=True, help="Do nothing if the folder is already current.")
@build_dir_option
def adapt(out_dir: Path | None, epochs: int, if_stale: bool, build_dir: Path | None) -> None:
    """Fine-tune the encoder on the glossary's phrasings, aliases and definitions.

    Takes minutes on a CPU. Uses only the build (never evaluation questions); then set
    KG_MODEL to the folder it prints and run kg ingest."""
    from kg.adapt import adapt as run_adapt
    from kg.adapt import base_model, is_current

    settings = _settings(build_dir)
    concepts = Glossary.load(settings.build_dir, settings.base_uri).concepts
    folder = out_dir or settings.cache_dir / "adapted"
    base = base_model(settings.model)
    recipe = replace(Recipe(), epochs=epochs)
    if if_stale and is_current(folder, concepts, base, recipe):
        err.print(f"adapted model in {folder} is current", markup=False)
        return
    with Progress(
        TextColumn("adapting {task.fields[base]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("steps"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("adapt", total=None, base=base)
        report = run_adapt(
            concepts,
            base,
            folder,
            recipe,
            on_step=lambda done, total: progress.update(task, completed=done, total=total),
        )
    out.print(
        f"Adapted {report.base} to {report.concepts} concepts ({report.pairs} names, "
        f"{report.steps} steps, {report.seconds:.0f} s) in {folder}\n"
        f"Use it: KG_MODEL={folder} kg ingest",
        highlight=False,
    )


@app.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@build_dir_option
def serve(host: str, port: int, build_dir: Path | None) -> None:
    """Serve the HTTP API and the web page."""
    import uvicorn

    from api.app import create_app

    glossary = _load(build_dir)
    _check_address(host, port)
    err.print(f"serving {len(glossary.concepts)} concepts on http://{host}:{port}", highlight=False)
    uvicorn.run(create_app(glossary), host=host, port=port, log_level="warning", access_log=False)


def _check_address(host: str, port: int) -> None:
    """A UsageError naming the address if the server could not listen there."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.UsageError(f"cannot listen on {host!r}: {exc.strerror}; give --host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise click.UsageError(
                f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port"
            ) from None


def _print_json(data: Any) -> None:
    _write(json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n")


def _write(data: bytes) -> None:
    """Bytes to standard output; a reader that stops early ends the command as `out` does."""
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        out.on_broken_pipe()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script: runs a command, turning errors into one line."""
    try:
        result = app.main(args=argv, prog_name="kg", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        sys.stderr.write(f"kg: {_one_line(exc.format_message())}\n")
        return exc.exit_code
    except click.exceptions.Abort:
        sys.stderr.write("kg: aborted\n")
        return 130
    except (IngestError, KgError) as exc:
        sys.stderr.write(f"kg: {_one_line(str(exc))}\n")
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still one line, and say so
        sys.stderr.write(f"kg: internal error ({type(exc).__name__}): {_one_line(str(exc))}\n")
        return 70
    return result if isinstance(result, int) else 0


def _n(count: int, word: str, plural: str | None = None) -> str:
    """ "1 entry", "2 entries"."""
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _one_line(text: str, limit: int = 1000) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run() -> None:
    """Console-script wrapper: exit with main()'s status."""
    raise SystemExit(main())


if __name__ == "__main__":
    run()
