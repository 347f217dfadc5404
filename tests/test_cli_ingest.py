"""`kg ingest` and `kg entries`: the build, its summary, and bad input."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from api.cli import main
from tests.conftest import RAW


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture()
def built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    build = tmp_path / "build"
    code, _out, err = run(capsys, "ingest", str(RAW), "--build-dir", str(build))
    assert code == 0, err
    return build


def test_ingest_builds_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = tmp_path / "build"
    code, out, _ = run(capsys, "ingest", str(RAW), "--build-dir", str(build))
    assert code == 0
    assert "5 sources, 185 entries (25 undefined)" in out
    assert "search index: " in out and "(exact), all-MiniLM-L6-v2 on onnx, 8-bit weights" in out
    for source in (
        "pdf-glossary",
        "terminologies-page",
        "docs-glossary",
        "ultimate-glossary",
        "web-glossary",
    ):
        assert source in out
    assert "cut stray text 'nhjbuj'" in out
    assert (build / "manifest.json").is_file()
    # the manifest counts the warnings the summary does (merging's among them)
    counted = json.loads((build / "manifest.json").read_text())["counts"]["warnings"]
    assert f"{counted} warnings" in out and counted == out.count("  warning ")


def test_entries_json_lists_every_entry_with_its_source(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "entries", "--json", "--build-dir", str(built))
    rows = json.loads(out)
    assert code == 0 and len(rows) == 185
    assert {r["source"] for r in rows} == {
        "pdf-glossary",
        "terminologies-page",
        "docs-glossary",
        "ultimate-glossary",
        "web-glossary",
    }
    code, out, _ = run(
        capsys, "entries", "--source", "docs-glossary", "--json", "--build-dir", str(built)
    )
    assert len(json.loads(out)) == 26


def test_a_bad_file_fails_in_one_line_and_keeps_the_previous_build(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(built)
    folder = tmp_path / "incoming"
    shutil.copytree(RAW, folder)
    (folder / "broken.txt").write_bytes(b"Churn: gone\nCaf\x81: x\n")  # neither UTF-8 nor cp1252
    code, _out, err = run(capsys, "ingest", str(folder), "--build-dir", str(built))
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{folder / 'broken.txt'}:2: not valid UTF-8" in err
    assert snapshot(built) == before


def test_if_stale_skips_a_current_build(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "ingest", str(RAW), "--if-stale", "--build-dir", str(built))
    assert code == 0 and "is current" in err


def test_another_precision_makes_the_build_stale(
    built: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = json.loads((built / "search-manifest.json").read_text())
    assert manifest["model_id"].endswith("-fused-int8b32")
    monkeypatch.setenv("KG_PRECISION", "fp32")
    code, _, err = run(capsys, "ingest", str(RAW), "--if-stale", "--build-dir", str(built))
    assert code == 0 and "is current" not in err
    manifest = json.loads((built / "search-manifest.json").read_text())
    assert "-" not in manifest["model_id"]  # rebuilt with the full-precision vectors
    monkeypatch.setenv("KG_PRECISION", "int4")
    code, _, err = run(capsys, "search", "churn", "--build-dir", str(built))
    assert code != 0 and "KG_PRECISION" in err and err.count("\n") == 1, err


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args, expected in [
        (["ingest", str(tmp_path / "nope")], "no such file or folder"),
        (["entries", "--build-dir", str(tmp_path / "none")], "run `kg ingest` first"),
        (["ingest", "--format", "pdf"], "'pdf' is not one of"),
        (["frobnicate"], "No such command"),
    ]:
        code, _, err = run(capsys, *args)
        assert code != 0
        assert expected in err and err.count("\n") == 1, err


def test_unknown_source_is_named(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "entries", "--source", "nope", "--build-dir", str(built))
    assert code == 1 and "no source 'nope'; sources are: docs-glossary" in err


def test_console_script_is_installed() -> None:
    kg = Path(sys.executable).parent / "kg"
    result = subprocess.run([str(kg), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "ingest" in result.stdout


def test_ingest_reports_concepts_and_merges(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "ingest", str(RAW), "--build-dir", str(built))
    assert code == 0
    assert "185 entries became" in out and "concepts through" in out
    assert "merges by evidence: label" in out and "curated 2" in out  # NDR = NRR, GRR
    assert "for 119 concepts" in out and "none yet" not in out  # every seed concept phrased


def test_ingest_names_concepts_without_phrasings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CURATION", str(tmp_path / "none.toml"))
    code, out, _ = run(capsys, "ingest", str(RAW), "--build-dir", str(tmp_path / "build"))
    assert code == 0
    assert "phrasings: 0 for 0 concepts; none yet for 120 (e.g. Account Churn" in out
    assert "add [[phrasing]] to the curation file" in out
    assert f"curation: none (no file at {tmp_path / 'none.toml'}; set KG_CURATION" in out


def test_curation_naming_absent_concepts_is_summed_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The project's curation file applied to someone else's glossary: its notes are shown
    as written ([[phrasing]], not eaten as markup), the first few only."""
    glossary = tmp_path / "mine.txt"
    glossary.write_text("ARR: yearly revenue\n")
    code, out, _ = run(capsys, "ingest", str(glossary), "--build-dir", str(tmp_path / "b"))
    assert code == 0
    assert "warning [[phrasing]] 1: no concept is named 'Account Churn'" in out
    assert re.search(r"\.\.\. and \d+ more warnings from the curation file", out)
    assert "curation: data/curation.toml; " in out
    assert "of its decisions name no concept here: it may have been written for another" in out


def test_a_file_with_no_term_says_what_to_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prose = tmp_path / "prose.txt"
    prose.write_text("this is just some prose without any term at all\n")
    code, _, err = run(capsys, "ingest", str(prose), "--build-dir", str(tmp_path / "b"))
    assert code == 1 and err.count("\n") == 1
    assert "no concept could be built: no entry read has a term (prose.txt: 1 entries" in err
    assert "'Term: definition' lines" in err and not (tmp_path / "b").exists()


def test_show_explain_conflicts_and_merges(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "ndr", "--json", "--build-dir", str(built))
    shown = json.loads(out)
    assert code == 0 and shown["id"] == "net-revenue-retention"
    assert all({"text", "source"} <= set(d) for d in shown["definitions"])
    code, out, _ = run(capsys, "explain", "GRR", "--build-dir", str(built))
    assert code == 0 and "Gross Renewal Rate" in out and "initials" in out
    code, out, _ = run(capsys, "conflicts", "--json", "--build-dir", str(built))
    assert "customer-lifetime-value" in {c["id"] for c in json.loads(out)}
    code, out, _ = run(capsys, "merges", "--build-dir", str(built))
    assert code == 0 and "Net Revenue Retention" in out
    code, _, err = run(capsys, "show", "no such concept", "--build-dir", str(built))
    assert code == 1 and "no concept with id or label 'no such concept'" in err
    code, _, err = run(capsys, "show", "chrun", "--build-dir", str(built))
    assert code == 1 and err.strip().endswith("'chrun'; did you mean Churn?")


def test_related_path_and_export(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "related", "account churn", "--json", "--build-dir", str(built))
    data = json.loads(out)
    assert code == 0 and data["nodes"][0]["pref_label"] == "Account Churn"
    assert any(e["relation"] == "broader" and e["target"] == "churn" for e in data["edges"])
    code, out, _ = run(capsys, "path", "upsell", "NDR", "--build-dir", str(built))
    assert code == 0 and "Upsells drive NRR" in out
    target = tmp_path / "glossary.ttl"
    code, _, err = run(
        capsys, "export", "--format", "turtle", "-o", str(target), "--build-dir", str(built)
    )
    assert code == 0 and target.read_bytes().startswith(b"@prefix")
    nowhere = tmp_path / "missing" / "glossary.ttl"
    code, _, err = run(capsys, "export", "-o", str(nowhere), "--build-dir", str(built))
    assert code == 1 and f"folder {nowhere.parent} does not exist" in err, err
    assert "internal error" not in err
    code, _, err = run(capsys, "related", "churn", "--depth", "9", "--build-dir", str(built))
    assert code == 2 and "depth" in err


def test_search_and_ask_print_whole_words(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "NRR", "-k", "1", "--build-dir", str(built))
    assert code == 0 and "Net Revenue Retention (NRR, " in out  # the alias typed comes first
    assert "+1 more)" in out  # five aliases, four shown
    code, out, _ = run(capsys, "ask", "what is NRR", "--build-dir", str(built))
    clipped = [line for line in out.splitlines() if line.startswith("  [") and "…" in line]
    assert clipped and all(line.endswith("…") and " …" not in line for line in clipped)
    code, _, err = run(capsys, "show", "", "--build-dir", str(built))
    assert code == 1 and "this one is empty" in err


def test_export_ingested_back_gives_an_isomorphic_graph(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    first = tmp_path / "first.ttl"
    assert main(["export", "-o", str(first), "--build-dir", str(built)]) == 0
    rebuilt = tmp_path / "rebuilt"
    assert main(["ingest", str(first), "--build-dir", str(rebuilt)]) == 0
    second = tmp_path / "second.ttl"
    assert main(["export", "-o", str(second), "--build-dir", str(rebuilt)]) == 0
    capsys.readouterr()
    a, b = Graph().parse(first), Graph().parse(second)
    assert len(a) > 1000 and isomorphic(a, b)
    # the export states the relations, not the glossaries its definitions are credited to
    # (they read "stated by ... (docs-glossary:62)", a line that says nothing of the kind)
    links = [json.loads(line) for line in (rebuilt / "links.jsonl").read_text().splitlines()]
    stated = [k["reason"] for k in links if k["reason"].startswith("stated by")]
    assert stated and all(r.endswith("(first)") for r in stated), stated[:3]


def test_eval_reports_every_mode_and_both_bm25_baselines(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.tsv"
    questions.write_text(
        "question\texpected_label\tcategory\tsplit\n"
        "what is net revenue retention\tNet Revenue Retention\tdirect\ttune\n"
        "nrr\tNet Revenue Retention\tshort\ttune\n"
        "customers walking away\tChurn\tparaphrase\theldout5\n"
        "how do I make lasagna\t\tunanswerable\theldout5\n"
    )
    code, out, err = run(capsys, "eval", str(questions), "--json", "--build-dir", str(built))
    assert code == 0, err
    result = json.loads(out)
    assert list(result["modes"]) == ["hybrid", "bm25", "dense", "views", "bm25-text"]
    para = {m: t["heldout5"]["paraphrase"]["hit@1"] for m, t in result["modes"].items()}
    assert para["hybrid"] == 1.0 and para["bm25-text"] == 0.0  # the phrasing is what finds it
    code, out, _ = run(capsys, "eval", str(questions), "--build-dir", str(built))
    assert code == 0 and "bm25-text" in out and "heldout5" in out
    assert f"encoder: all-MiniLM-L6-v2 ({result['model_id']})" in out  # whose numbers these are

    questions.write_text("q\tlabel\n")
    code, _, err = run(capsys, "eval", str(questions), "--build-dir", str(built))
    assert code != 0 and "header must be" in err and err.count("\n") == 1, err


def test_a_folder_passes_over_json_and_xml_that_are_not_rdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "glossary.txt").write_text("ARR: yearly revenue\nMRR: monthly revenue\n")
    (folder / "config.json").write_text('{"a": 1}')
    (folder / "sitemap.xml").write_text("<urlset></urlset>")
    code, _, err = run(capsys, "ingest", str(folder), "--build-dir", str(tmp_path / "b"))
    assert code == 0, err
    assert "config.json: JSON without JSON-LD keys (@context, @id), passed over" in err
    assert "sitemap.xml: XML that is not RDF, passed over" in err
    code, _, err = run(
        capsys, "ingest", str(folder / "config.json"), "--build-dir", str(tmp_path / "c")
    )
    assert code == 1 and "config.json" in err  # named on its own, it must be a glossary


def test_a_manifest_entry_whose_file_is_missing_is_named(tmp_path: Path) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "glossary.txt").write_text("ARR: yearly revenue\nMRR: monthly revenue\n")
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nfile = "glossary.txt"\nid = "finance"\n\n'
        '[[source]]\nfile = "Sales Glossary.csv"\nid = "sales"\n'
    )
    sources, notes = read_paths([tmp_path])
    assert [s.id for s in sources] == ["finance"]
    assert notes == [
        f"{tmp_path / 'sources.toml'}: [[source]] 'sales' names 'Sales Glossary.csv', "
        "which is not in the folder; nothing read for it"
    ]


def test_show_gives_relations_and_says_when_nothing_defines_it(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "show", "NDR", "--build-dir", str(built))
    assert code == 0 and " broader Customer Retention" in out and " related Churn" in out
    code, out, _ = run(capsys, "show", "customer-stickiness", "--build-dir", str(built))
    assert code == 0 and "no source defines it (named in web-glossary)" in out


def test_settings_that_cannot_work_are_named_before_anything_runs(
    built: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_BASE_URI", "not a uri")
    code, _, err = run(capsys, "show", "churn", "--build-dir", str(built))
    assert code == 2 and "KG_BASE_URI is 'not a uri'; give an absolute http(s) URI" in err
    monkeypatch.setenv("KG_BASE_URI", "http://x.test/g")  # a slash is added
    code, out, _ = run(capsys, "show", "churn", "--json", "--build-dir", str(built))
    assert json.loads(out)["uri"] == "http://x.test/g/churn"
    monkeypatch.delenv("KG_BASE_URI")
    monkeypatch.setenv("KG_BACKEND", "bogus")
    code, _, err = run(capsys, "search", "churn", "--build-dir", str(built))
    assert code == 2 and "KG_BACKEND is 'bogus'; choose onnx or torch" in err


def test_a_name_of_two_concepts_is_said_to_be_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        "Customer Acquisition Cost (CAC): Sales and marketing spend per new customer.\n"
        "Customer Advisory Council (CAC): Key customers who meet to advise us.\n"
    )
    build = str(tmp_path / "b")
    assert run(capsys, "ingest", str(tmp_path / "in"), "--build-dir", build)[0] == 0
    for command in ("show", "related", "explain"):
        code, _, err = run(capsys, command, "CAC", "--build-dir", build)
        assert code == 1 and "'CAC' names 2 concepts: customer-acquisition-cost" in err


def test_a_csv_cell_naming_two_seed_concepts_joins_neither(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The seeds define Cross-sell and Upsell apart; a team's 'Cross-sell / Up-sell' row
    gives its definition to both and leaves them two concepts ('Churn / Attrition' is still
    read as two names of one)."""
    folder = tmp_path / "in"
    shutil.copytree(RAW, folder)
    (folder / "ops.csv").write_text(
        "Term,Definition\n"
        "Cross-sell / Up-sell,Selling additional or upgraded products to an existing customer.\n"
        "Churn / Attrition,Customers who cancel their subscription in a period.\n"
    )
    build = str(tmp_path / "b")
    code, out, _ = run(capsys, "ingest", str(folder), "--build-dir", build)
    assert code == 0
    assert "'Cross-sell / Up-sell' (ops:2) names 'Cross-sell' and 'Up-sell'" in out
    concepts = [json.loads(line) for line in (tmp_path / "b" / "concepts.jsonl").open()]
    by_label = {c["pref_label"]: c for c in concepts}
    assert "Up-sell" not in by_label["Cross-sell"]["alt_labels"]
    assert "Cross-sell" not in by_label["Upsell"]["alt_labels"]
    for label in ("Cross-sell", "Upsell"):
        assert "ops" in [d["source"] for d in by_label[label]["definitions"]], label
    assert "Attrition" in by_label["Churn"]["alt_labels"]


def test_serve_names_an_address_it_cannot_listen_on(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, _, err = run(capsys, "serve", "--port", port, "--build-dir", str(built))
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err and "serving" not in err


def test_eval_takes_any_split_and_refuses_a_file_with_nothing_to_measure(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "question\texpected_label\tcategory\tsplit\n"
    mine = tmp_path / "mine.tsv"
    mine.write_text(header + "what is churn\tChurn\tdirect\ttest\nfoo\tNo Such\tdirect\ttest\n")
    code, out, _ = run(capsys, "eval", str(mine), "--json", "--build-dir", str(built))
    data = json.loads(out)
    assert code == 0 and data["modes"]["hybrid"]["test"]["direct"]["hit@1"] == 1.0
    assert [row["line"] for row in data["confidence"]] == [2]  # the skipped row is not judged
    (tmp_path / "none.tsv").write_text(header + "foo\tNo Such\tdirect\ttest\n")
    code, _, err = run(capsys, "eval", str(tmp_path / "none.tsv"), "--build-dir", str(built))
    assert code == 1 and "nothing to measure" in err
    (tmp_path / "empty.tsv").write_text(header)
    code, _, err = run(capsys, "eval", str(tmp_path / "empty.tsv"), "--build-dir", str(built))
    assert code == 1 and "no questions below the header" in err


def test_small_cli_conventions(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "export", "-o", "-", "--build-dir", str(built))
    assert code == 0 and out.startswith("@prefix") and not (Path.cwd() / "-").exists()
    code, out, _ = run(capsys, "search", "qwertyuiop zxcv", "--build-dir", str(built))
    assert out.startswith("no concept is a close match for 'qwertyuiop zxcv'; the nearest:")
    code, _, err = run(capsys, "ingest", str(RAW), "--build-dir", "/proc/no/such/build")
    assert code == 1 and "choose a --build-dir you can write to" in err
    code, _, err = run(capsys, "show", "x" * 5000, "--build-dir", str(built))
    assert code == 1 and len(err) < 1100  # a long argument is not echoed whole


@pytest.mark.parametrize(
    "command",
    [
        "export --format nt",
        "search churn -k 100 --explain",
        "related churn --depth 3",
        "related churn --depth 3 --json",
        "entries --json",
    ],
)
def test_a_reader_that_stops_early_ends_the_command_quietly(built: Path, command: str) -> None:
    kg = Path(sys.executable).with_name("kg")
    shown = subprocess.run(  # more than a pipe holds, for the larger ones
        f"set -o pipefail; {kg} {command} --build-dir {built} | (exec 0<&-; sleep 0.2)",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0 and shown.stderr == ""


def test_a_folder_of_pages_reads_one_term_a_page_and_passes_over_pages_of_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Notion export: one page per term, named with the page's id; a page holding no
    term is named and passed over, but a file named on its own must hold entries."""
    folder = tmp_path / "notion"
    folder.mkdir()
    (folder / "Churn 1a2b3c4d5e6f.md").write_text(
        "# Churn\n\nThe loss of customers or revenue in a period.\n"
    )
    (folder / "about.md").write_text("We keep the team's notes here.\n")
    code, out, err = run(capsys, "ingest", str(folder), "--build-dir", str(tmp_path / "b"))
    assert code == 0, err
    assert "about.md: no glossary entries found (read as markdown" in err
    code, out, _ = run(capsys, "entries", "--json", "--build-dir", str(tmp_path / "b"))
    assert [row["term"] for row in json.loads(out)] == ["Churn"]
    code, _, err = run(
        capsys, "ingest", str(folder / "about.md"), "--build-dir", str(tmp_path / "c")
    )
    assert code == 1 and err.count("\n") == 1
    assert "about.md: no glossary entries found (read as markdown" in err
    assert "a heading above each definition" in err  # the layouts it reads
    (folder / "Churn 1a2b3c4d5e6f.md").unlink()
    code, _, err = run(capsys, "ingest", str(folder), "--build-dir", str(tmp_path / "d"))
    assert code == 1 and "about.md: no glossary entries found" in err  # not "no glossary file"


def test_a_csv_parent_column_is_a_relation_and_related_terms_naming_no_concept_are_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    shutil.copytree(RAW, folder)
    (folder / "r.csv").write_text(
        "Term,Definition,Parent,Related terms\n"
        "Expansion Playbook,A set of plays for growing existing accounts.,Customer Retention,"
        "NRR; CSM; QBR; Upsells; Gross Churn\n"
    )
    build = str(tmp_path / "b")
    code, out, _ = run(capsys, "ingest", str(folder), "--build-dir", build)
    assert code == 0
    assert "warning r.csv:2: related term 'Gross Churn' names no concept; relation not made" in out
    code, out, _ = run(capsys, "related", "expansion playbook", "--json", "--build-dir", build)
    edges = [e for e in json.loads(out)["edges"] if e["source"] == "expansion-playbook"]
    reasons = {(e["relation"], e["target"]): e["reason"] for e in edges}
    assert reasons[("broader", "customer-retention")] == (
        "its source lists it under 'Customer Retention' (r:2)"
    )
    assert reasons[("related", "upsell")] == "its source relates it to 'Upsells' (r:2)"


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.md", b"", "file is empty"),
        ("blank.csv", b"  \n\n\t\n", "file is empty"),
        ("header.csv", b"Term,Definition\n", "has a header row but no rows below it"),
    ],
)
def test_a_file_with_nothing_in_it_is_passed_over_in_a_folder_and_fails_named_alone(
    name: str, data: bytes, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty file, or a CSV of only its header, beside a glossary holds no entry, as an
    "about" page does: it is named and the rest is built. Named on its own, it fails."""
    folder = tmp_path / "glossaries"
    folder.mkdir()
    (folder / "good.csv").write_text(
        "Term,Definition\nSeat Utilization,Share of purchased seats in active use.\n"
    )
    (folder / name).write_bytes(data)
    code, _, err = run(capsys, "ingest", str(folder), "--build-dir", str(tmp_path / "b"))
    assert code == 0, err
    assert f"note: {folder / name}" in err and f"{problem}, passed over" in err
    code, out, _ = run(capsys, "entries", "--json", "--build-dir", str(tmp_path / "b"))
    assert [row["term"] for row in json.loads(out)] == ["Seat Utilization"]
    code, _, err = run(capsys, "ingest", str(folder / name), "--build-dir", str(tmp_path / "c"))
    assert code == 1 and err.count("\n") == 1 and problem in err
    assert not (tmp_path / "c").exists()


def test_control_characters_in_a_definition_become_spaces_so_rdf_xml_stays_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A form feed inside a definition (a PDF's) was written into RDF/XML, which cannot hold
    it: the export, and re-reading it, failed."""
    source = tmp_path / "glossary.txt"
    source.write_bytes(b"Glossary\n\nAccount Churn\nThe share\x0c of customers \x07who leave.\n")
    build = tmp_path / "build"
    assert main(["ingest", str(source), "--build-dir", str(build)]) == 0
    assert "2 control characters (form feeds, bells and the like)" in capsys.readouterr().out
    out = tmp_path / "export.rdf"
    assert main(["export", "--format", "xml", "-o", str(out), "--build-dir", str(build)]) == 0
    graph = Graph().parse(out, format="xml")
    texts = {str(o) for o in graph.objects(None, None) if isinstance(o, Literal)}
    assert "The share of customers who leave." in texts


def test_a_definition_pasted_whole_from_a_document_is_cut_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An 11 MB skos:definition took 49 s and 1.6 GB to ingest, every sentence embedded."""
    sentence = "Ratable revenue is recognised evenly over the service period. "
    source = tmp_path / "huge.ttl"
    source.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<http://e/r> a skos:Concept ; skos:prefLabel "Ratable Revenue"@en ;\n'
        f' skos:definition "{sentence * 2_000}"@en .\n'
    )
    build = tmp_path / "build"
    assert main(["ingest", str(source), "--build-dir", str(build)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "the definition of 'Ratable Revenue' is 123,999 characters long; only its first" in out
    row = json.loads((build / "concepts.jsonl").read_text().splitlines()[0])
    text = row["definitions"][0]["text"]
    assert len(text) <= 20_000 and text.endswith("period.")


def test_glossary_text_is_printed_as_written_never_as_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A definition holding "[/]" crashed `kg show` (a MarkupError, exit 70); "[in USD]"
    vanished and ":smile:" became an emoji."""
    source = tmp_path / "pricing.csv"
    source.write_text(
        "term,definition\n"
        'Seat Price,"Price per seat [in USD] per month [/] see [/link] :smile:"\n'
        '[Internal] Seat Count,"Seats [deprecated] in use"\n'
    )
    build = tmp_path / "build"
    assert main(["ingest", str(source), "--build-dir", str(build)]) == 0
    text = "Price per seat [in USD] per month [/] see [/link] :smile:"
    for command in (
        ["show", "seat price"],
        ["entries"],
        ["ask", "what is seat price"],
        ["search", "seat price"],
        ["explain", "[Internal] Seat Count"],
    ):
        capsys.readouterr()
        assert main([*command, "--build-dir", str(build)]) == 0, command
        printed = capsys.readouterr().out
        assert (text[:40] in printed) or ("[Internal] Seat Count" in printed), (command, printed)
    capsys.readouterr()
    assert main(["show", "[Internal] Seat Count", "--build-dir", str(build)]) == 0
    assert "[Internal] Seat Count" in capsys.readouterr().out
