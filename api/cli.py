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

_out = Console()
_err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    _err.print(f"[red]error:[/red] {message}", highlight=False)
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
        result = tool.run(args)
    except ToolError as exc:
        _fail(str(exc))
    _print_json(result.model_dump(mode="json"))


def _read_json_file(path: Path, option: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"{option}: cannot read {path}: {exc.strerror}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"{option}: {path} is not UTF-8 JSON: {exc}")


def main() -> None:
    # `tool NAME --json` is the documented short form of `tool run NAME --json`.
    argv = sys.argv[1:]
    if len(argv) >= 2 and argv[0] == "tool" and argv[1] not in {"list", "run", "--help", "-h"}:
        argv = ["tool", "run", *argv[1:]]
    app(args=argv, prog_name="partner-assistant")
