"""Read-only SPARQL 1.1 over the vocabulary: the query operation of the SPARQL 1.1 Protocol.

    GET  /sparql?query=...
    POST /sparql   application/x-www-form-urlencoded   query=...
    POST /sparql   application/sparql-query            the query itself as the body

SELECT and ASK answer in application/sparql-results+json (the default), -results+xml,
text/csv or text/tab-separated-values (SELECT only); CONSTRUCT and DESCRIBE in
text/turtle (the default), application/n-triples, application/rdf+xml or
application/ld+json; chosen by the Accept header or a `format` parameter.

Safety comes in layers, because rdflib evaluates a query in pure Python that cannot be
interrupted from another thread, and will otherwise fetch URLs for SERVICE and FROM:

- This process never parses a query. It refuses updates by protocol (`update=`,
  application/sparql-update), over-long queries (413) and bracket nesting beyond a limit
  (400), then hands the text to a query process.
- The query process (`worker_main`, one at a time, reused) holds its own copy of the
  graph. It refuses text that parses as an update, SERVICE, GRAPH, and FROM / FROM NAMED
  other than the vocabulary's own graph; it runs niced, under an address-space limit, with an
  audit hook that denies sockets, URL requests, new processes, writing files and reading
  files outside Python's installation and this project.
- Time: a SIGALRM in the query process interrupts rdflib at the limit and the process is
  kept; if no answer comes within two more seconds (a C-level loop) it is killed and
  replaced. Size: SELECT stops after `rows` + 1 rows, CONSTRUCT/DESCRIBE refuse more than
  `rows` triples, and any answer over `result_bytes`: 413.
- One query runs at a time (on a 2-core machine one core stays with the rest of the
  API); up to `queue` more wait, briefly; beyond that 429 with Retry-After.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Mapping, MutableSequence, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request, Response
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from kg.errors import BadQuery

if TYPE_CHECKING:
    from kg.glossary import Glossary

ROOT = Path(__file__).resolve().parents[1]
UPDATE_REFUSED = (
    "SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY) is not "
    "allowed: this endpoint is read-only"
)
RESULT_TYPES = {  # media type -> serialiser, for SELECT and ASK
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {  # media type -> rdflib format, for CONSTRUCT and DESCRIBE
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
ALIASES = {  # what clients also ask for -> (for results, for graphs)
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/plain": ("", "application/n-triples"),
    "application/x-turtle": ("", "text/turtle"),
}
SHORT = {  # `format=` short names -> (for results, for graphs)
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", ""),
    "tsv": ("text/tab-separated-values", ""),
    "turtle": ("", "text/turtle"),
    "ttl": ("", "text/turtle"),
    "nt": ("", "application/n-triples"),
    "ntriples": ("", "application/n-triples"),
    "n-triples": ("", "application/n-triples"),
    "rdfxml": ("", "application/rdf+xml"),
    "rdf": ("", "application/rdf+xml"),
    "json-ld": ("", "application/ld+json"),
    "jsonld": ("", "application/ld+json"),
}
QUERY_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
UPDATE_START = re.compile(
    r"\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)
PROLOGUE = re.compile(r"\s*(PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)
COMMENT = re.compile(r"(^|\s)#[^\n]*", re.MULTILINE)
IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
GRACE = 2.0  # seconds past the limit before a silent query process is killed
STARTUP = 60.0  # seconds a new query process may take to load the graph
WORKER = "from api.sparql import worker_main; worker_main()"
WARM_UP = [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", ("json", "xml", "csv", "tsv")),
    ("ASK { ?s ?p ?o }", ("json", "xml")),
    ("DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1", ("turtle", "nt", "rdfxml", "json-ld")),
    ("INSERT DATA { <a:a> <a:b> <a:c> }", ("json",)),
    ("SELECT * WHERE { ?s ?p }", ("json",)),
]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a bad, refused, or too slow query"},
    413: {"description": "a query or result over the size limits"},
    415: {"description": "a POST body that is neither a form nor application/sparql-query"},
    429: {"description": "too many queries waiting; retry after the Retry-After seconds"},
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one query; see the module docstring for how each is enforced."""

    seconds: float = 5.0
    rows: int = 10_000  # SELECT rows, or CONSTRUCT/DESCRIBE triples
    query_chars: int = 10_000
    nesting: int = 64  # brackets inside brackets
    memory_mb: int = 512  # address space a query may add to the query process
    result_bytes: int = 16 * 2**20
    workers: int = 1
    queue: int = 32  # cheap queries in a burst wait their turn (each waits at most ~8 s)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    media_type: str = ""
    body: bytes = b""
    detail: str = ""


class Busy(Exception):
    """No query process became free in time."""


# --- content negotiation -------------------------------------------------------------------


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the Accept header rates highest (ties go to the earlier offer); the first
    offer when there is no header; None when the header accepts none of them."""
    if not offers:
        return None
    if not accept or not accept.strip():
        return offers[0]
    ranges: list[tuple[str, float]] = []
    for part in accept.split(",")[:64]:
        media, *params = part.split(";")
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media.strip():
            ranges.append((media.strip().lower(), quality if 0 <= quality <= 1 else 0.0))
    best, best_q = None, 0.0
    for offer in offers:
        q = _quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    return best


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The quality of the most specific range matching `offer`."""
    kind = offer.split("/")[0]
    rank, quality = -1, 0.0
    for media, q in ranges:
        if media == offer:
            r = 2
        elif media == f"{kind}/*":
            r = 1
        elif media == "*/*":
            r = 0
        else:
            continue
        if r > rank:
            rank, quality = r, q
    return quality


def choose(form: str, accept: str | None, fmt: str | None) -> str:
    """The media type to answer a query of this form in (`format` wins over Accept);
    raises BadQuery for a `format` that does not suit the form."""
    graphs = form in ("CONSTRUCT", "DESCRIBE")
    offers = list(GRAPH_TYPES if graphs else RESULT_TYPES)
    if form == "ASK":
        offers = offers[:2]
    if fmt:
        name = fmt.strip().lower()
        if name in SHORT:
            media = SHORT[name][1 if graphs else 0]
        elif name in ALIASES:
            media = ALIASES[name][1 if graphs else 0]
        else:
            media = name
        if media not in offers:
            raise BadQuery(
                f"format {fmt!r} does not suit a {form} query; choose one of " + ", ".join(offers)
            )
        return media
    aliases = [a for a, pair in ALIASES.items() if pair[1 if graphs else 0] in offers]
    best = negotiate(accept, offers + aliases) or offers[0]
    return ALIASES[best][1 if graphs else 0] if best in ALIASES else best


# --- checks made before a query leaves this process ----------------------------------------


def nesting(text: str) -> int:
    """How deeply brackets nest in a query, strings, IRIs and comments aside."""
    depth = deepest = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            if text.startswith(c * 3, i):
                end = text.find(c * 3, i + 3)
                i = n if end < 0 else end + 3
                continue
            j = i + 1
            while j < n and text[j] not in (c, "\n"):
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "<" and (m := IRI.match(text, i)):
            i = m.end()
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif c in ")}]":
            depth -= 1
        i += 1
    return deepest


def _one_line(text: object, limit: int = 400) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- the query process -----------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


class _Timeout(BaseException):
    """Raised by SIGALRM inside rdflib; a BaseException so `except Exception` cannot eat it."""


_armed = False


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _armed:
        raise _Timeout


def worker_main() -> None:
    """The query process: `python -c WORKER READ_FD WRITE_FD`. Receives its settings and the
    graph, confines itself, then answers one query per message until its input closes."""
    inbox = Connection(int(sys.argv[1]), writable=False)
    outbox = Connection(int(sys.argv[2]), readable=False)
    setup = json.loads(inbox.recv_bytes())
    limits = Limits(**setup["limits"])
    graph = Graph(bind_namespaces="core")
    graph.parse(data=inbox.recv_bytes(), format="nt")
    for prefix, namespace in setup["namespaces"]:
        graph.bind(prefix, namespace, override=True)
    base = setup["base"]
    signal.signal(signal.SIGALRM, _on_alarm)
    for text, formats in WARM_UP:  # load every plugin a query may need before confining
        for fmt in formats:
            _answer(graph, {"query": text, "format": fmt}, limits, base)
    confine(limits)
    outbox.send_bytes(b"ready")
    while True:
        try:
            message = inbox.recv_bytes()
        except (EOFError, OSError):
            return
        header, body = _answer(graph, json.loads(message), limits, base)
        outbox.send_bytes(json.dumps(header).encode() + b"\n" + body)
        if header.get("retire"):
            return


def confine(limits: Limits) -> None:
    """Lower priority, bound memory, no core files, and deny network, processes, writes
    and reads outside Python and this project, for the rest of this process's life."""
    sys.setrecursionlimit(20_000)
    os.nice(5)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    cap = used + limits.memory_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    import rdflib.plugins.sparql

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    roots = tuple(
        os.path.realpath(p) + os.sep
        for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, str(ROOT), *sys.path}
        if p and os.path.isdir(p) and os.path.realpath(p) != os.sep
    )
    denied = (
        "socket.",
        "urllib.Request",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "ctypes.dlopen",
    )
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if event.startswith(denied):
            raise PermissionError(f"{event} is not allowed in a SPARQL query")
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int) or path is None:
                return
            writing = bool(mode and any(c in mode for c in "wax+")) or bool((flags or 0) & writes)
            real = os.path.realpath(os.fsdecode(path))
            if writing or not real.startswith(roots):
                raise PermissionError(f"a SPARQL query may not open {os.fsdecode(path)}")

    sys.addaudithook(audit)


def _answer(
    graph: Graph, request: dict[str, Any], limits: Limits, base: str
) -> tuple[dict[str, Any], bytes]:
    """One query answered as (header, body); never raises."""
    global _armed
    try:
        try:
            _armed = True
            # repeat every quarter second in case rdflib swallows one interruption
            signal.setitimer(signal.ITIMER_REAL, limits.seconds, 0.25)
            return _evaluate(graph, request, limits, base)
        finally:
            _armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Timeout:
        return _fail(400, _too_slow(limits))
    except _Refused as exc:
        return _fail(exc.status, str(exc))
    except BadQuery as exc:
        return _fail(400, str(exc))
    except RecursionError:
        return _fail(400, "query is nested too deeply to evaluate")
    except MemoryError:
        detail = f"query needed more than the {limits.memory_mb} MB of memory allowed"
        return _fail(413, detail, retire=True)
    except Exception as exc:
        return _fail(400, f"query could not be evaluated: {_one_line(exc)}")


def _fail(status: int, detail: str, retire: bool = False) -> tuple[dict[str, Any], bytes]:
    return {"status": status, "detail": detail, "retire": retire}, b""


def _too_slow(limits: Limits) -> str:
    return (
        f"query took longer than {limits.seconds:g} s and was stopped; "
        "narrow its patterns or add LIMIT"
    )


def _evaluate(
    graph: Graph, request: dict[str, Any], limits: Limits, base: str
) -> tuple[dict[str, Any], bytes]:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.sparql import Query as ParsedQuery

    text = request["query"]
    try:
        parsed = parseQuery(text)
    except Exception as exc:  # pyparsing's ParseException, or worse
        if _is_update(text):
            raise _Refused(400, UPDATE_REFUSED) from None
        where = ""
        if hasattr(exc, "lineno") and hasattr(exc, "col"):
            where = f" at line {exc.lineno}, column {exc.col}"
        message = getattr(exc, "msg", None) or str(exc)
        raise _Refused(400, f"SPARQL syntax error{where}: {_one_line(message)}") from None
    query: ParsedQuery = translateQuery(parsed, initNs=dict(graph.namespaces()))
    algebra = query.algebra
    names = _names(algebra)
    if "ServiceGraphPattern" in names:
        raise _Refused(400, "SERVICE is not allowed: this endpoint makes no network calls")
    if "Graph" in names:
        raise _Refused(
            400, "GRAPH is not supported: this endpoint holds one graph, the default graph"
        )
    # CompValue.get(key) answers the key itself when it is missing: use dict.get
    for clause in dict.get(algebra, "datasetClause") or ():
        named = dict.get(clause, "default") is None
        iri = dict.get(clause, "named" if named else "default")
        if str(iri) != base:
            raise _Refused(
                400,
                f"FROM {'NAMED ' if named else ''}<{iri}> is not allowed: this endpoint "
                f"answers over its one graph, <{base}>, and loads no other",
            )
    algebra["datasetClause"] = None
    form = QUERY_FORMS.get(algebra.name, "")
    if not form:
        raise _Refused(400, f"unsupported query form {algebra.name}")
    if form == "CONSTRUCT" and not dict.get(algebra, "template"):
        # CONSTRUCT WHERE { triples }: rdflib finds the template only without LIMIT etc.
        algebra["template"] = _first_bgp(algebra.p)
    media = choose(form, request.get("accept"), request.get("format"))
    result = graph.query(query)
    if form == "SELECT":
        body = _select(result, media, limits)
    elif form == "ASK":
        out = Result("ASK")
        out.askAnswer = bool(result.askAnswer)
        body = out.serialize(format=RESULT_TYPES[media]) or b""
    else:
        triples = result.graph
        if triples is None or len(triples) > limits.rows:
            raise _Refused(
                413, f"the result has more than {limits.rows:,} triples; narrow the query"
            )
        for prefix, namespace in graph.namespaces():
            triples.bind(prefix, namespace, override=True)
        fmt = GRAPH_TYPES[media]
        if fmt == "json-ld":
            context = {p: str(ns) for p, ns in graph.namespaces() if p}
            body = triples.serialize(format=fmt, context=context, indent=1, encoding="utf-8")
        else:
            body = triples.serialize(format=fmt, encoding="utf-8")
    if len(body) > limits.result_bytes:
        raise _Refused(
            413, f"the result is larger than {limits.result_bytes // 2**20} MB; narrow the query"
        )
    return {"status": 200, "media_type": media}, body


def _select(result: Any, media: str, limits: Limits) -> bytes:
    names: list[Variable] = list(result.vars or [])
    rows: MutableSequence[Mapping[Variable, Identifier]] = []
    # the solutions as rdflib makes them, one at a time: iterating a result drops a solution
    # that binds none of the selected variables ("SELECT ?x WHERE { VALUES ?y {1 2} }" has
    # two, both empty), and its `bindings` make every solution before the row limit is seen
    solutions = getattr(result, "_genbindings", None)
    for binding in result.bindings if solutions is None else solutions:
        if len(rows) == limits.rows:
            raise _Refused(
                413,
                f"the result has more than {limits.rows:,} rows; add LIMIT {limits.rows} "
                "or narrow the query",
            )
        rows.append({v: t for v in names if (t := binding.get(v)) is not None})
    if RESULT_TYPES[media] == "tsv":
        return _tsv(names, rows)
    out = Result("SELECT")
    out.vars = names
    out.bindings = rows
    return out.serialize(format=RESULT_TYPES[media]) or b""


def _tsv(names: list[Variable], rows: Sequence[Mapping[Variable, Identifier]]) -> bytes:
    """SPARQL 1.1 TSV results: terms in Turtle syntax, escaped onto one line."""

    def term(t: Any) -> str:
        if isinstance(t, URIRef):
            return f"<{t}>"
        if isinstance(t, BNode):
            return f"_:{t}"
        if isinstance(t, Literal):
            text = str(t)
            for a, b in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
                text = text.replace(a, b)
            if t.language:
                return f'"{text}"@{t.language}'
            if t.datatype:
                return f'"{text}"^^<{t.datatype}>'
            return f'"{text}"'
        return str(t)

    lines = ["\t".join(f"?{v}" for v in names)]
    lines += ["\t".join(term(row[v]) if v in row else "" for v in names) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _names(node: Any) -> set[str]:
    """The names of every algebra node under `node` (iteratively: queries nest)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    names: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            names.add(item.name)
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return names


def _first_bgp(node: Any) -> list[Any]:
    """The triples of the first basic graph pattern under `node`."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "BGP":
                return list(item.triples)
            stack.extend(reversed(list(item.values())))
    return []


def _is_update(text: str) -> bool:
    """Whether text that is no query is (or starts like) a SPARQL Update."""
    body = COMMENT.sub(" ", text)
    while m := PROLOGUE.match(body):
        body = body[m.end() :]
    if UPDATE_START.match(body):
        return True
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


# --- this side: the query processes and who may use them -------------------------------------


class _Gone(Exception):
    """The query process had ended before it was sent the query."""


class _Worker:
    """One query process and the two pipes to it."""

    def __init__(self, setup: bytes, data: bytes, procs: list[subprocess.Popen[bytes]]) -> None:
        from_parent, to_child = os.pipe()
        from_child, to_parent = os.pipe()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", WORKER, str(from_parent), str(to_parent)],
                pass_fds=(from_parent, to_parent),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                cwd=ROOT,
                env=env,
            )
        except BaseException:
            for fd in (to_child, from_child):
                os.close(fd)
            raise
        finally:
            os.close(from_parent)
            os.close(to_parent)
        procs.append(self.proc)
        self._procs = procs
        self.send = Connection(to_child, readable=False)
        self.recv = Connection(from_child, writable=False)
        self._payload: tuple[bytes, ...] = (setup, data)
        self.ready = False
        self.retired = False

    def ask(self, request: bytes, limits: Limits) -> Answer:
        """Send one query and wait for its answer; the process is stopped if it overruns,
        dies or asks to retire."""
        try:
            if not self.ready:
                for part in self._payload:
                    self.send.send_bytes(part)
                if not self.recv.poll(STARTUP) or self.recv.recv_bytes() != b"ready":
                    self.stop()
                    return Answer(503, detail="the SPARQL query process did not start")
                self.ready = True
            self.send.send_bytes(request)
        except (EOFError, OSError):
            self.stop()
            raise _Gone from None
        try:
            if not self.recv.poll(limits.seconds + GRACE):
                self.stop()
                return Answer(400, detail=_too_slow(limits))
            message = self.recv.recv_bytes(maxlength=limits.result_bytes + 2**16)
        except (EOFError, OSError):
            code = self.stop()
            return Answer(
                400, detail=f"query could not be evaluated: its process ended (status {code})"
            )
        raw, _, body = message.partition(b"\n")
        header = json.loads(raw)
        if header.get("retire"):
            self.stop()
        if header["status"] != 200:
            return Answer(header["status"], detail=header.get("detail", ""))
        return Answer(200, header["media_type"], body)

    @property
    def alive(self) -> bool:
        return not self.retired and self.proc.poll() is None

    def stop(self) -> int | None:
        """Kill the process and close the pipes; its exit status."""
        self.retired = True
        self.proc.kill()
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        for conn in (self.send, self.recv):
            conn.close()
        if self.proc in self._procs:
            self._procs.remove(self.proc)
        return code


def _kill_all(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in list(procs):
        proc.kill()


def snapshot(graph: Graph) -> tuple[bytes, list[tuple[str, str]]]:
    """The graph as N-Triples, and its namespace bindings."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return data, [(p, str(ns)) for p, ns in graph.namespaces() if p]


class Engine:
    """Runs queries in query processes, at most `limits.workers` at a time."""

    def __init__(
        self,
        source: Callable[[], Graph],
        base: str,
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.base = base
        self._source = source
        self._payload: tuple[bytes, bytes] | None = None
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.limits.workers)
        self._waiting = 0
        self._idle: list[_Worker] = []
        self._procs: list[subprocess.Popen[bytes]] = []
        self._finalizer = weakref.finalize(self, _kill_all, self._procs)

    def run(self, query: str, accept: str | None = None, fmt: str | None = None) -> Answer:
        """The answer to one query (which should already have passed `check`)."""
        with self._lock:
            if self._waiting >= self.limits.queue:
                raise Busy
            self._waiting += 1
        try:
            free = self._slots.acquire(timeout=self.limits.seconds + GRACE + 1)
        finally:
            with self._lock:
                self._waiting -= 1
        if not free:
            raise Busy
        try:
            request = json.dumps({"query": query, "accept": accept, "format": fmt}).encode()
            worker = self._take()
            try:
                answer = worker.ask(request, self.limits)
            except _Gone:  # it died while idle; the query never reached it
                worker = self._take()
                answer = worker.ask(request, self.limits)
            if worker.alive:
                with self._lock:
                    self._idle.append(worker)
            return answer
        finally:
            self._slots.release()

    @property
    def pids(self) -> list[int]:
        """The process ids of the query processes now running."""
        return [proc.pid for proc in self._procs if proc.poll() is None]

    def close(self) -> None:
        """Stop every query process."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
        _kill_all(self._procs)

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
                worker.stop()
            if self._payload is None:
                data, namespaces = snapshot(self._source())
                setup = {"limits": asdict(self.limits), "namespaces": namespaces, "base": self.base}
                self._payload = (json.dumps(setup).encode(), data)
            setup_bytes, data = self._payload
        return _Worker(setup_bytes, data, self._procs)


# --- HTTP ------------------------------------------------------------------------------------


_SLICE = re.compile(r"\b(LIMIT|OFFSET)\s+(\d+)", re.IGNORECASE)
_STRINGS = re.compile(  # string literals, long and short: a LIMIT inside one is text
    r'"""[\s\S]*?"""' r"|'''[\s\S]*?'''" r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
)
MAX_SLICE = 10**12  # past this rdflib's slicing fails with a Python message


def check(query: str | None, graphs: Sequence[str], base: str, limits: Limits) -> str:
    """The query text if this process can pass it on; else BadQuery (400) or 413."""
    if query is None or not query.strip():
        raise BadQuery("query parameter missing: send a SPARQL query as `query`")
    if len(query) > limits.query_chars:
        raise HTTPException(
            413, f"query is {len(query):,} characters long; at most {limits.query_chars:,}"
        )
    depth = nesting(query)
    if depth > limits.nesting:
        raise BadQuery(f"query nests brackets {depth} deep; at most {limits.nesting} allowed")
    for m in _SLICE.finditer(_STRINGS.sub('""', query)):
        digits = m[2].lstrip("0")
        if len(digits) > len(str(MAX_SLICE)) or (digits and int(digits) > MAX_SLICE):
            raise BadQuery(
                f"{m[1].upper()} {m[2][:20]}{'…' if len(m[2]) > 20 else ''} is too large; "
                f"at most {MAX_SLICE:,} (and an answer holds at most {limits.rows:,} rows)"
            )
    for graph in graphs:
        if graph != base:
            raise BadQuery(
                f"graph <{graph}> is not available: this endpoint answers over its one "
                f"graph, <{base}>"
            )
    return query


Text = Annotated[str | None, Query(description="a SPARQL 1.1 query")]
Graphs = Annotated[
    list[str] | None,
    Query(alias="default-graph-uri", description="only the vocabulary's own graph"),
]
Named = Annotated[
    list[str] | None,
    Query(alias="named-graph-uri", description="only the vocabulary's own graph"),
]
Format = Annotated[
    str | None,
    Query(
        alias="format",
        max_length=100,
        description="json, xml, csv, tsv, turtle, nt, rdfxml, json-ld, or a media type; "
        "overrides the Accept header",
    ),
]


def router(glossary: Glossary, limits: Limits | None = None) -> APIRouter:
    """GET and POST /sparql over `glossary.rdf()`."""
    limits = limits or Limits()
    base = glossary.base_uri
    engine = Engine(glossary.rdf, base, limits)
    api = APIRouter(responses=ERRORS)

    async def respond(request: Request, query: str, fmt: str | None) -> Response:
        from starlette.concurrency import run_in_threadpool

        accept = request.headers.get("accept")
        try:
            answer = await run_in_threadpool(engine.run, query, accept, fmt)
        except Busy:
            raise HTTPException(
                429,
                "the SPARQL endpoint is busy with other queries; try again shortly",
                headers={"Retry-After": str(int(limits.seconds) + 1)},
            ) from None
        if answer.status != 200:
            raise HTTPException(answer.status, answer.detail)
        return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})

    @api.get("/sparql")
    async def sparql_get(
        request: Request,
        query: Text = None,
        update: Annotated[str | None, Query(include_in_schema=False)] = None,
        default_graph: Graphs = None,
        named_graph: Named = None,
        fmt: Format = None,
    ) -> Response:
        """Read-only SPARQL 1.1: SELECT, ASK, CONSTRUCT, DESCRIBE over the vocabulary."""
        if update is not None:
            raise BadQuery(UPDATE_REFUSED)
        if len(request.query_params.getlist("query")) > 1:  # the protocol allows exactly one
            raise BadQuery("send one `query`; this request has several")
        graphs = [*(default_graph or ()), *(named_graph or ())]
        return await respond(request, check(query, graphs, base, limits), fmt)

    @api.post(
        "/sparql",
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {"query": {"type": "string"}},
                            "required": ["query"],
                        }
                    },
                    "application/sparql-query": {"schema": {"type": "string"}},
                },
                "required": True,
            }
        },
    )
    async def sparql_post(
        request: Request,
        default_graph: Graphs = None,
        named_graph: Named = None,
        fmt: Format = None,
    ) -> Response:
        """The same, with the query as a form field or as an application/sparql-query body."""
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            raise BadQuery(UPDATE_REFUSED)
        if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise HTTPException(
                415,
                "send the query as application/x-www-form-urlencoded (query=...) or as an "
                "application/sparql-query body",
            )
        body = await _read(request, limits.query_chars * 3 + 4096)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadQuery("the request body is not UTF-8") from None
        graphs = [*(default_graph or ()), *(named_graph or ())]
        if media == "application/sparql-query":
            return await respond(request, check(text, graphs, base, limits), fmt)
        try:
            form = parse_qs(text, keep_blank_values=True, max_num_fields=64)
        except ValueError as exc:
            raise BadQuery(f"the form could not be read: {exc}") from None
        if "update" in form:
            raise BadQuery(UPDATE_REFUSED)
        queries = form.get("query", [])
        if len(queries) > 1:
            raise BadQuery("send one query at a time")
        graphs += form.get("default-graph-uri", []) + form.get("named-graph-uri", [])
        fmt = fmt or next(iter(form.get("format", [])), None)
        query = check(queries[0] if queries else None, graphs, base, limits)
        return await respond(request, query, fmt)

    return api


async def _read(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) more than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the request body is over {limit:,} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the request body is over {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
