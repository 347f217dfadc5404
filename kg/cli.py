"""The `kg` command line: a thin layer over `Glossary`.

Errors the user can fix end in one line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ingest.errors import IngestError
from ingest.pipeline import collect, read_paths
from ingest.readers import FORMATS
from kg import build
from kg.config import Settings
from kg.errors import KgError
from kg.glossary import Glossary
from kg.records import entry_to_row

out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


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
    settings = Settings.from_env()
    if build_dir is not None:
        settings = Settings(build_dir, settings.raw_dir, settings.base_uri, settings.model)
    return settings


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
    if if_stale and _is_current(settings.build_dir, inputs):
        err.print(f"build in {settings.build_dir} is current")
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

        sources, skipped = read_paths(targets, fmt=fmt, on_file=on_file)
        progress.update(task, description="saving")
        glossary = Glossary.from_sources(sources)
        glossary.save(settings.build_dir, inputs)
    for note in skipped:
        err.print(f"note: {note}", highlight=False)
    _print_summary(glossary, settings.build_dir)


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
        table.add_row(
            s.id,
            s.format,
            str(len(s.entries)),
            str(s.undefined),
            str(s.dropped_lines),
            str(len(s.warnings)),
        )
    out.print(table)
    c = glossary.counts()
    out.print(
        f"{c['sources']} sources, {c['entries']} entries ({c['undefined']} undefined), "
        f"{c['dropped_lines']} noise lines dropped, {c['warnings']} warnings",
        highlight=False,
    )
    for s in glossary.sources:
        for w in s.warnings:
            where = f"{s.path.name}:{w.line}" if w.line else s.path.name
            out.print(f"  warning {where}: {w.message}", highlight=False)


@app.command()
@click.option("--source", help="Only this source id.")
@json_option
@build_dir_option
def entries(source: str | None, as_json: bool, build_dir: Path | None) -> None:
    """List the entries read from the sources, to audit what was read."""
    glossary = Glossary.load(_settings(build_dir).build_dir)
    rows = glossary.entries(source)
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
            e.source,
            lines,
            e.term or "(unknown)",
            ", ".join(e.acronyms),
            ", ".join(sorted(e.flags)),
            definition[:80] + ("…" if len(definition) > 80 else ""),
        )
    out.print(table)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run() -> None:
    """Console-script wrapper: exit with main()'s status."""
    raise SystemExit(main())


if __name__ == "__main__":
    run()
