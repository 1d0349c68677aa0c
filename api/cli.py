"""`partner-assistant`: the command line. A thin shell: parse, call, print; errors become clean messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Partner Rules Assistant")
tool_app = typer.Typer(no_args_is_help=True, help="Run the rules engine directly.")
app.add_typer(tool_app, name="tool")
index_app = typer.Typer(no_args_is_help=True, help="Build and inspect the knowledge index.")
app.add_typer(index_app, name="index")
eval_app = typer.Typer(no_args_is_help=True, help="Run the regression evals.")
app.add_typer(eval_app, name="eval")
feedback_app = typer.Typer(no_args_is_help=True, help="Feedback collected by the API.")
app.add_typer(feedback_app, name="feedback")

_out = Console()
_err = Console(stderr=True)


def _exit_on_regressions(problems: list[str]) -> None:
    for problem in problems:
        _err.print(f"[red]regression:[/red] {problem}", soft_wrap=True)
    if problems:
        raise typer.Exit(1)


def _fail(message: str, code: int = 2) -> None:
    _err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@tool_app.command("list")
def tool_list(as_json: Annotated[bool, typer.Option("--json", help="JSON with schemas")] = False) -> None:
    """List the rules-engine tools."""
    from tools import TOOLS

    if as_json:
        _print_json([{"name": t.name, "description": t.description, "input_schema": t.json_schema()}
                     for t in TOOLS.values()])
        return
    table = Table("name", "description")
    for tool in TOOLS.values():
        table.add_row(tool.name, tool.description.splitlines()[0])
    _out.print(table)


@tool_app.command("run")
def tool_run(
    name: str,
    arguments: Annotated[str, typer.Option("--json", help="Arguments as a JSON object")] = "{}",
    calendar: Annotated[Optional[Path], typer.Option(help="Working-day calendar override (JSON)")] = None,
) -> None:
    """Run one tool: `partner-assistant tool run NAME --json '{...}'`."""
    from tools import ToolError, get_tool

    try:
        args = json.loads(arguments)
    except json.JSONDecodeError as exc:
        _fail(f"--json is not valid JSON: {exc.msg} at position {exc.pos}")
    if not isinstance(args, dict):
        _fail("--json must be a JSON object of arguments")
    try:
        tool = get_tool(name)
        if calendar is not None:
            if "calendar" not in tool.input_model.model_fields:
                _fail(f"--calendar does not apply to {name}")
            args["calendar"] = _read_json_file(calendar, "--calendar")
        elif "calendar" in tool.input_model.model_fields and "calendar" not in args:
            args["calendar"] = _imported_calendar()
        if "catalogue" in tool.input_model.model_fields and "catalogue" not in args:
            args = _with_index_catalogue(tool, args)
        result = tool.run(args)
    except ToolError as exc:
        _fail(str(exc))
    _print_json(result.model_dump(mode="json"))


def _with_index_catalogue(tool, args: dict) -> dict:
    """The catalogue tools read the built index's codes and menus; without an index they know none."""
    from assistant.catalogue import with_catalogue
    from knowledge import KnowledgeError

    try:
        index = _index(_settings())
        index.warm_up()
    except KnowledgeError:
        return args
    return with_catalogue(tool, args, index)


def _read_json_file(path: Path, option: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"{option}: cannot read {path}: {exc.strerror}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"{option}: {path} is not UTF-8 JSON: {exc}")


EmbedderOpt = Annotated[Optional[str], typer.Option(help="use | e5 | st:minilm | st:<dir> | hash")]
ChromaOpt = Annotated[Optional[str], typer.Option("--chroma-url", help="Chroma server URL instead of the embedded store")]
DataOpt = Annotated[Optional[Path], typer.Option("--data-dir", help="Data directory of the embedded store")]


rules_app = typer.Typer(no_args_is_help=True, help="Duration rules read from the indexed documents.")
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list(
    embedder: Annotated[Optional[str], typer.Option(help="use | e5 | st:minilm | st:<dir> | hash")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="Data directory of the embedded store")] = None,
    unparsed: Annotated[bool, typer.Option("--unparsed", help="List the sentences not read as rules")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The duration rules (event, amount, unit, direction) found in the index, each with its sentence."""
    from knowledge.durations import index_duration_rules

    settings = _settings(embedder, None, data_dir)
    scan = _guarded(lambda: index_duration_rules(_index(settings).chunks))
    if as_json:
        _print_json(scan.model_dump(mode="json") if unparsed else [r.model_dump(mode="json") for r in scan.rules])
        return
    if unparsed:
        for sentence in scan.unparsed:
            _out.print(sentence, highlight=False, soft_wrap=True)
        return
    table = Table("direction", "amount", "unit", "event", "sentence", "chunk")
    for found in scan.rules:
        table.add_row(found.direction, str(found.amount), found.unit, found.event or "(today)", found.sentence,
                      (found.chunk_id or "")[:12])
    _out.print(table)
    _out.print(f"{len(scan.rules)} rules; {len(scan.unparsed)} sentence(s) with a duration not read as a rule")


calendar_app = typer.Typer(no_args_is_help=True, help="Official holiday schedules for working days.")
app.add_typer(calendar_app, name="calendar")


def _imported_calendar(data_dir: Path | None = None):
    from knowledge import KnowledgeError
    from knowledge.calendars import load_calendar

    try:
        data = load_calendar(_settings(data_dir=data_dir).data_dir)
    except KnowledgeError as exc:
        _fail(f"imported calendar: {exc}")
    return data.model_dump(mode="json") if data else None


@calendar_app.command("import")
def calendar_import(file: Path, data_dir: DataOpt = None) -> None:
    """Load an official schedule (State Council notice) as JSON; see the README for the format."""
    from knowledge import KnowledgeError
    from knowledge.calendars import import_calendar

    try:
        merged = import_calendar(file, _settings(data_dir=data_dir).data_dir)
    except KnowledgeError as exc:
        _fail(str(exc))
    _out.print(f"imported {file}: official schedules now cover "
               f"{', '.join(str(y) for y in sorted(merged.years))} ({merged.source})", highlight=False)


def _settings(embedder: str | None = None, chroma_url: str | None = None, data_dir: Path | None = None,
              mode: str | None = None):
    from pydantic import ValidationError

    from assistant import Settings

    overrides = {k: v for k, v in {"embedder": embedder, "chroma_url": chroma_url, "data_dir": data_dir,
                                   "retrieval_mode": mode}.items() if v is not None}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))


def _index(settings):
    from knowledge import KnowledgeIndex, make_client, make_embedder

    return KnowledgeIndex(make_client(settings.data_dir, settings.chroma_url),
                          make_embedder(settings.embedder, settings.data_dir / "cache"), namespace=settings.namespace)


@index_app.command("build")
def index_build(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders; default: the bundled corpus")] = None,
    embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None, data_dir: DataOpt = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when nothing changed")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    run_eval: Annotated[bool, typer.Option("--eval", help="Then run the eval gate; exit 1 on regressions")] = False,
    baseline: Annotated[Path, typer.Option(help="Baseline for --eval")] = Path("evals/baseline.json"),
) -> None:
    """Build or update the index (only changed chunks are embedded)."""
    from knowledge import KnowledgeError

    settings = _settings(embedder, chroma_url, data_dir)
    try:
        index = _index(settings)
        report = index.build(paths or None, force=force)
        calibration = _calibrate(index, report)
        unanchored = _unanchored_rules(index)
    except KnowledgeError as exc:
        _fail(str(exc))
    if run_eval:
        _index_gate(settings, baseline)
    m = report.manifest
    data = {"unchanged": report.unchanged, "chunks": m.chunk_count, "added": report.added, "removed": report.removed,
            "reused": report.reused, "embedded": report.embedded, "seconds": round(report.seconds, 3),
            "embedder": m.embedder, "corpus_hash": m.corpus_hash, "collection": m.collection,
            "duration_rules": report.duration_rules, "duration_unparsed": report.duration_unparsed,
            "error_codes": report.error_codes, "menu_paths": report.menu_paths,
            "lexicon_terms": report.lexicon_terms, "lexicon_folds": report.lexicon_folds,
            "calibration": calibration, "unanchored_rules": unanchored}
    if as_json:
        _print_json(data)
    elif report.unchanged:
        _out.print(f"index up to date: {m.chunk_count} chunks, embedder {m.embedder}")
    else:
        _out.print(f"indexed {m.chunk_count} chunks in {report.seconds:.2f}s: {report.added} added, "
                   f"{report.removed} removed, {report.embedded} embedded, {report.reused} reused "
                   f"(embedder {m.embedder})")
    if not as_json:
        _out.print(f"duration rules: {report.duration_rules} found, {report.duration_unparsed} sentence(s) with a "
                   "duration not read as a rule (`partner-assistant rules list --unparsed`)", highlight=False)
        _out.print(f"catalogue: {report.error_codes} error code(s) and {report.menu_paths} menu path(s) stated in the "
                   "documents (error_code_lookup and menu_path_lookup answer from it)", highlight=False)
    if unanchored and not as_json:
        _out.print(f"rule anchors no longer found in the indexed text ({len(unanchored)}; the tools citing them "
                   f"will not cite them): {', '.join(unanchored)}", highlight=False)
    if calibration and not as_json:
        _out.print(f"answerability calibrated on {calibration['questions']} dev questions: ECE {calibration['ece']}, "
                   f"threshold {calibration['threshold']:.3f} (dev: {calibration['operating_point']}; out of fold: "
                   f"ECE {calibration.get('cv_ece')}, {calibration.get('cv_operating_point')}); vocabulary rule "
                   f"{'kept' if calibration.get('vocabulary_veto', True) else 'dropped'} "
                   f"(refuses on dev: {calibration.get('veto_counts') or 'not counted'})")
    elif not as_json:
        _out.print("answerability: no dev question set fits this corpus; using the packaged calibration")


def _unanchored_rules(index) -> list[str]:
    """Rule ids whose anchor phrase no chunk states any more (a re-scrape changed the wording)."""
    from tools import RULES

    return sorted(rule_id for rule_id, rule in RULES.items() if not index.chunks_stating(rule.anchor))


def _calibrate(index, report) -> dict | None:
    """Refit the evidence stage's answerability model for a new index (kept when the index is unchanged)."""
    from assistant.evidence.calibration import ANNOTATION
    from assistant.evidence.refit import calibrate_index
    from knowledge import Retriever

    if report.unchanged and index.annotation(ANNOTATION) is not None:
        stored = index.annotation(ANNOTATION)
    else:
        fitted = calibrate_index(Retriever(index))
        stored = fitted.to_json() if fitted else None
    if stored is None:
        return None
    return {k: stored.get(k) for k in ("questions", "ece", "threshold", "operating_point", "reliability",
                                       "vocabulary_veto", "veto_counts", "cv_ece", "cv_reliability",
                                       "cv_operating_point")}


def _index_gate(settings, baseline: Path) -> None:
    """Golden answers against the freshly built index: name the cases a corpus change broke."""
    from evals.gate import check, load_baseline

    result = _run_eval(settings, load_baseline(baseline).split, None, None, build=False)
    problems = check(result, load_baseline(baseline))
    broken = [o for o in result.cases if not o.passed]
    _out.print(f"eval after re-indexing: {len(result.cases) - len(broken)}/{len(result.cases)} cases pass")
    for o in broken:
        _out.print(f"  affected: {o.dataset}/{o.id} ({', '.join(k for k, v in o.checks.items() if v < 1) or o.error})",
                   highlight=False)
    _exit_on_regressions(problems)


@index_app.command("status")
def index_status(embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None, data_dir: DataOpt = None) -> None:
    """What is indexed: the manifest, chunks per source file and language, and the answerability calibration."""
    import dataclasses
    from collections import Counter

    from assistant.evidence.calibration import ANNOTATION
    from knowledge import KnowledgeError

    index = _index(_settings(embedder, chroma_url, data_dir))
    manifest = index.manifest()
    if manifest is None:
        _fail("no index has been built yet: run `partner-assistant index build`", code=1)
    data = dataclasses.asdict(manifest)
    try:
        chunks = index.chunks
    except KnowledgeError as exc:  # another embedder configured: the manifest still says what is indexed
        data["contents"] = f"not readable with this configuration: {exc}"
    else:
        files = Counter(origin.split(":")[0].split("#")[0].split("[")[0] for c in chunks for origin in c.origins[:1])
        data["contents"] = {
            "files": dict(sorted(files.items())), "languages": dict(Counter(c.language for c in chunks)),
            "with_source_url": sum(1 for c in chunks if c.url), "with_menu_path": sum(1 for c in chunks if c.menu_path),
            "error_codes": sorted({e.code for e in index.catalogue().codes}),
            "menu_paths": len({m.menu_path for m in index.catalogue().menus}),
            "domain_lexicon": {"terms": len(index.snapshot().lexicon.terms) if index.snapshot().lexicon else 0,
                               "folds": dict(index.snapshot().lexicon.folds) if index.snapshot().lexicon else {}}}
    stored = index.annotation(ANNOTATION)
    data["calibration"] = ({k: stored.get(k) for k in ("questions", "ece", "threshold", "operating_point",
                                                       "vocabulary_veto", "veto_counts", "cv_ece",
                                                       "cv_operating_point")}
                           if stored else "packaged default (no dev question set fitted this index)")
    _print_json(data)


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option(help="How many chunks")] = 5,
    mode: Annotated[Optional[str], typer.Option(help="hybrid | dense | lexical")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None, data_dir: DataOpt = None,
) -> None:
    """Ranked chunks for a query."""
    from knowledge import KnowledgeError, Retriever

    settings = _settings(embedder, chroma_url, data_dir, mode)
    try:
        result = Retriever(_index(settings), mode=settings.retrieval_mode).search(query, k=k)
    except KnowledgeError as exc:
        _fail(str(exc))
    rows = [{"rank": h.rank, "score": round(h.score, 4), "dense": round(h.dense, 4), "lexical": round(h.lexical, 4),
             "chunk_id": h.chunk.id, "title": h.chunk.title, "menu_path": h.chunk.menu_path,
             "parent_topic": h.chunk.parent_topic, "source": h.chunk.source, "origins": h.chunk.origins,
             "error_codes": [c.model_dump() for c in h.chunk.error_codes], "cut_start": h.chunk.cut_start,
             "cut_end": h.chunk.cut_end, "text": h.chunk.text} for h in result.hits]
    if as_json:
        _print_json(rows)
        return
    table = Table("#", "score", "title", "menu path", "source")
    for row in rows:
        table.add_row(str(row["rank"]), f"{row['score']:.3f}", row["title"], row["menu_path"] or "", row["source"])
    _out.print(table)


@app.command()
def ask(
    question: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    session: Annotated[Optional[str], typer.Option("--session", help="Session id: keeps context across calls")] = None,
    now: Annotated[Optional[str], typer.Option("--now", help="ISO-8601 time with offset (default: the clock)")] = None,
    embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None, data_dir: DataOpt = None,
) -> None:
    """Answer a question with citations and computed results, or abstain."""

    moment = _parse_now(now)
    assistant = _assistant(_settings(embedder, chroma_url, data_dir))
    answer = _guarded(lambda: assistant.answer(question, session_id=session, now=moment))
    if as_json:
        _print_json(answer.model_dump(mode="json"))
        return
    _render(answer)


def _parse_now(now: str | None):
    from datetime import datetime

    if now is None:
        return None
    try:
        moment = datetime.fromisoformat(now.replace("Z", "+00:00"))
    except ValueError:
        _fail(f"--now {now!r} is not ISO-8601; use e.g. 2026-11-27T10:00:00+08:00")
    if moment.tzinfo is None:
        _fail("--now needs a UTC offset, e.g. 2026-11-27T10:00:00+08:00")
    return moment


def _assistant(settings):
    from assistant import Assistant

    return _guarded(lambda: Assistant.from_settings(settings))


def _guarded(call):
    """Run an assistant call, turning domain errors into clean messages."""
    from assistant.sessions import SessionError
    from knowledge import KnowledgeError

    try:
        return call()
    except (KnowledgeError, SessionError) as exc:
        _fail(str(exc))


@app.command()
def serve(
    host: Annotated[str, typer.Option(envvar="PARTNER_ASSISTANT_HOST",
                                      help="Interface; without API keys only 127.0.0.1 is allowed")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, envvar="PARTNER_ASSISTANT_PORT")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker processes")] = 1,
    build: Annotated[bool, typer.Option(help="Build the index first if it is missing or stale")] = True,
) -> None:
    """Serve the web chat, the triage page and the HTTP API."""
    from api.app import sources
    from api.server import serve as run_server

    settings = _settings()
    if build:
        _out.print(_ensure_index(settings, sources(settings)), highlight=False)
    try:
        run_server(host, port, workers, lambda text: _out.print(text, highlight=False, soft_wrap=True))
    except (ValueError, RuntimeError) as exc:
        _fail(str(exc))


@app.command("mcp")
def mcp_stdio(
    build: Annotated[bool, typer.Option(help="Build the index first if it is missing or stale")] = True,
) -> None:
    """Serve the MCP tools, search and ask over stdio (for Claude Desktop, IDE agents); logs go to stderr."""
    import anyio

    from api.app import sources
    from api.mcp import serve_stdio

    settings = _settings()
    if build:  # stdout carries the protocol: progress goes to stderr
        _err.print(_ensure_index(settings, sources(settings)), highlight=False)
    assistant = _assistant(settings)
    _guarded(assistant.warm_up)
    anyio.run(serve_stdio, assistant)


def _ensure_index(settings, wanted: list[Path]) -> str:
    """Never discard an index: build from ``wanted`` (the bundled corpus and uploads) only when no index
    exists or the active one was built from those same sources (then only what changed is rebuilt);
    an index built with `index build PATH` is served as it is."""
    index = _index(settings)
    manifest = _guarded(index.manifest)
    if manifest is not None and sorted(manifest.sources) != sorted(str(p) for p in wanted):
        return (f"serving the active index: {manifest.chunk_count} chunks from {', '.join(manifest.sources)} "
                f"(not rebuilt; `partner-assistant index build` changes it)")
    report = _guarded(lambda: index.build(wanted))
    _guarded(lambda: _calibrate(index, report))
    return "index up to date" if report.unchanged else f"indexed {report.manifest.chunk_count} chunks"


def _render(answer) -> None:
    """Readable answer, tool traces and citations (rich formatting; plain text when piped)."""
    from rich.panel import Panel

    style = "yellow" if answer.abstained else "green"
    _out.print(Panel(answer.answer, title="answer" if not answer.abstained else "no supported answer",
                     border_style=style, expand=False), highlight=False)
    for call in answer.tool_calls:
        table = Table(title=f"tool: {call.name}", show_header=False, expand=False)
        table.add_row("arguments", json.dumps(call.arguments, ensure_ascii=False))
        for key, value in call.result.items():
            if key in {"explanation_zh", "explanation_en", "trace", "rule_refs"}:
                continue
            table.add_row(key, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)
        table.add_row("trace", "\n".join(call.result.get("trace", [])))
        _out.print(table, highlight=False)
    for n, cite in enumerate(answer.citations, start=1):
        _out.print(f"[dim][{n}] {cite.source}  {cite.menu_path or ''}  ({cite.chunk_id[:10]})\n    「{cite.quote}」[/dim]",
                   highlight=False)


@app.command()
def chat(embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None, data_dir: DataOpt = None,
         session: Annotated[Optional[str], typer.Option("--session", help="Resume a session")] = None) -> None:
    """Interactive chat in the terminal; the session is kept across turns. /new starts over, /quit or Ctrl-D ends."""
    import uuid

    from assistant.sessions import SessionError
    from knowledge import KnowledgeError

    assistant = _assistant(_settings(embedder, chroma_url, data_dir))
    session_id = session or uuid.uuid4().hex
    _out.print(f"Partner Rules Assistant - ask in Chinese or English. Session {session_id}. /new, /quit")
    while True:
        try:
            question = input("> ")
        except (EOFError, KeyboardInterrupt):
            _out.print()
            return
        question = question.strip()
        if not question:
            continue
        if question in {"/quit", "/exit"}:
            return
        if question == "/new":
            session_id = uuid.uuid4().hex
            _out.print(f"new session {session_id}")
            continue
        try:
            _render(assistant.answer(question, session_id=session_id))
        except (KnowledgeError, SessionError, ValueError) as exc:  # the loop survives a failed turn, saying why
            _err.print(f"[red]error:[/red] {exc}", soft_wrap=True)


def _eval_assistant(settings, llm: str | None = None, build: bool = True):
    if llm:
        settings = settings.model_copy(update={"llm_model": llm})
    assistant = _assistant(settings)
    if build:  # evaluate the default corpus; `index build --eval` evaluates what it just built instead
        report = _guarded(lambda: assistant.index.build())
        _guarded(lambda: _calibrate(assistant.index, report))
    return assistant


SplitOpt = Annotated[Optional[str], typer.Option(help="dev | held-out (default: both)")]
DatasetOpt = Annotated[Optional[list[str]], typer.Option("--dataset", help="retrieval | assistant | triage | dialogues | expressions | extended (repeatable; default: all but extended)")]


def _check_split(split: str | None) -> None:
    if split not in (None, "dev", "held-out"):
        _fail("--split must be dev or held-out")


def _run_eval(settings, split, datasets, llm, build: bool = True):
    from evals.runner import DATASETS, DEFAULT_DATASETS, extended_corpus, run
    from knowledge import DEFAULT_CORPUS

    chosen = tuple(datasets or DEFAULT_DATASETS)
    unknown = set(chosen) - set(DATASETS)
    if unknown:
        _fail(f"unknown dataset(s) {sorted(unknown)}; choose from {', '.join(DATASETS)}")
    assistant = _eval_assistant(settings, llm, build)
    extended = None
    if "extended" in chosen:  # its own index (namespace) over the bundled plus the extended corpus
        extended = _eval_assistant(settings.model_copy(update={"namespace": f"{settings.namespace}-extended"}),
                                   llm, build=False)
        report = _guarded(lambda: extended.index.build([DEFAULT_CORPUS, *extended_corpus()]))
        _guarded(lambda: _calibrate(extended.index, report))
    config = {"embedder": settings.embedder, "mode": settings.retrieval_mode, "llm": llm or "off"}
    return run(assistant, split=split, datasets=chosen, config=config, extended=extended)


def _gate_and_report(report, baseline: Path | None, report_dir: Path | None) -> list[str]:
    from evals.gate import check, load_baseline
    from evals.report import write

    problems: list[str] = []
    if baseline is not None:
        try:
            problems = check(report, load_baseline(baseline))
        except (OSError, ValueError) as exc:
            _fail(f"--baseline {baseline}: {exc}")
    if report_dir is not None:
        for path in write(report, report_dir, problems):
            _err.print(f"wrote {path}")
    return problems


@eval_app.command("run")
def eval_run(
    split: SplitOpt = None, dataset: DatasetOpt = None, embedder: EmbedderOpt = None,
    mode: Annotated[Optional[str], typer.Option(help="hybrid | dense | lexical")] = None,
    llm: Annotated[Optional[str], typer.Option(help="LLM mode with provider:model (default: off)")] = None,
    data_dir: DataOpt = None, chroma_url: ChromaOpt = None,
    baseline: Annotated[Optional[Path], typer.Option(help="Fail when a metric falls below this baseline")] = None,
    report: Annotated[Optional[Path], typer.Option(help="Write report.json/.md/.html into this folder")] = None,
    write_baseline: Annotated[Optional[Path], typer.Option(help="Store this run as a new baseline file")] = None,
    reason: Annotated[Optional[str], typer.Option(help="Why the baseline changes (with --write-baseline)")] = None,
) -> None:
    """Run the eval datasets; with --baseline, exit 1 on any regression beyond tolerance."""
    from evals.gate import baseline_from

    _check_split(split)
    result = _run_eval(_settings(embedder, chroma_url, data_dir, mode), split, dataset, llm)
    problems = _gate_and_report(result, baseline, report)
    _print_json({"config": result.config, "split": split, "metrics": result.metrics,
                 "failing_cases": [f"{o.dataset}/{o.id}" for o in result.cases if not o.passed]})
    if write_baseline is not None:
        if not reason:
            _fail("--write-baseline needs --reason: say why the baseline changes")
        write_baseline.write_text(baseline_from(result, reason).model_dump_json(indent=2) + "\n", encoding="utf-8")
        _err.print(f"wrote baseline {write_baseline}")
    _exit_on_regressions(problems)


@eval_app.command("compare")
def eval_compare(a: Path, b: Path) -> None:
    """What changed between two report.json files, metric by metric and case by case."""
    from evals.report import compare
    from evals.runner import EvalReport

    reports = []
    for path in (a, b):
        try:
            reports.append(EvalReport.model_validate_json(path.read_text("utf-8")))
        except (OSError, ValueError) as exc:
            _fail(f"{path}: not a readable eval report ({exc})")
    for line in compare(*reports):
        sys.stdout.write(line + "\n")


@eval_app.command("matrix")
def eval_matrix(
    split: SplitOpt = "held-out",
    embedders: Annotated[str, typer.Option(help="Comma-separated embedders")] = "use,e5,st:minilm",
    data_dir: Annotated[Path, typer.Option("--data-dir")] = Path("data/eval-matrix"),
    out: Annotated[Optional[Path], typer.Option(help="Also write the table here")] = None,
) -> None:
    """Every embedder x fusion mode (LLM mode off): the comparison table the README shows."""
    _check_split(split)
    columns = ["retrieval.hit@1", "retrieval.hit@3", "retrieval.mrr", "retrieval.correct_abstention",
               "retrieval.false_abstention", "assistant.tool_selection", "assistant.tool_result",
               "abstention_precision", "abstention_recall", "latency_p50_ms"]
    lines = ["| embedder | fusion | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    names = embedders.split(",")
    for embedder in names:
        for mode in ("dense", "lexical", "hybrid"):
            if mode == "lexical" and embedder != names[0]:
                continue  # BM25 does not depend on the embedder
            folder = data_dir / embedder.replace(":", "_").replace("/", "_")
            result = _run_eval(_settings(embedder, None, folder, mode), split, None, None)
            cells = [f"{result.metrics.get(c, float('nan')):.2f}" for c in columns]
            lines.append(f"| {embedder if mode != 'lexical' else '-'} | {mode} | " + " | ".join(cells) + " |")
            _err.print(lines[-1], highlight=False, soft_wrap=True)
    table = "\n".join(lines) + "\n"
    sys.stdout.write(table)
    if out:
        out.write_text(table, encoding="utf-8")


@eval_app.command("schema")
def eval_schema(out: Annotated[Path, typer.Option(help="Folder for the JSON schemas")] = Path("evals/schema")) -> None:
    """Publish the JSON schema of every dataset's case type."""
    from evals.cases import SCHEMAS

    out.mkdir(parents=True, exist_ok=True)
    for name, model in SCHEMAS.items():
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _out.print(f"wrote {path}")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path, typer.Option(help="Candidate eval cases (JSONL), for review")] = Path(
        "evals/candidates/feedback.jsonl"),
    data_dir: DataOpt = None,
) -> None:
    """Write candidate eval cases from feedback corrections; a person reviews them before any dataset changes."""
    from assistant.feedback import FeedbackStore, candidate_cases, dumps_jsonl
    from assistant.sessions import SessionError, SessionStore

    settings = _settings(data_dir=data_dir)
    try:
        corrections = FeedbackStore(SessionStore(settings.resolved_database_url())).corrections()
    except SessionError as exc:
        _fail(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps_jsonl(candidate_cases(corrections)), encoding="utf-8")
    _err.print(f"wrote {len(corrections)} candidate case(s) to {out} (review before adding to a dataset)")


@app.command("triage")
def triage_file(
    path: Path,
    out: Annotated[Optional[Path], typer.Option(help="JSONL output (default: stdout)")] = None,
    now: Annotated[Optional[str], typer.Option("--now")] = None,
    embedder: EmbedderOpt = None, chroma_url: ChromaOpt = None, data_dir: DataOpt = None,
) -> None:
    """Triage a JSONL or CSV file of cases offline (same output as POST /v1/triage/batch)."""
    from datetime import datetime, timezone

    from pydantic import ValidationError

    from api.app import TriageBatchLine, parse_batch
    from api.errors import ApiError
    from assistant.triage import TriageCase, triage

    moment = _parse_now(now) or datetime.now(timezone.utc)
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: cannot read as UTF-8 text ({exc})")
    try:
        rows = parse_batch(text, "text/csv" if path.suffix.lower() == ".csv" else "application/x-ndjson")
    except ApiError as exc:
        _fail(f"{path}: {exc.message}")
    assistant = _assistant(_settings(embedder, chroma_url, data_dir))
    lines = []
    for number, row in rows:
        try:
            case = TriageCase.model_validate(row)
            result = _guarded(lambda: triage(assistant, case, moment))
            lines.append(TriageBatchLine(line=number, result=result).model_dump_json())
        except ValidationError as exc:
            message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            lines.append(TriageBatchLine(line=number, error={"code": "validation_error", "message": message})
                         .model_dump_json())
    output = "".join(line + "\n" for line in lines)
    if out:
        out.write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)


def main() -> None:
    # `tool NAME --json` is the documented short form of `tool run NAME --json`.
    argv = sys.argv[1:]
    if len(argv) >= 2 and argv[0] == "tool" and argv[1] not in {"list", "run", "--help", "-h"}:
        argv = ["tool", "run", *argv[1:]]
    app(args=argv, prog_name="partner-assistant")
