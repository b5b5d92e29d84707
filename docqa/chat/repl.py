"""The `docqa chat` terminal: prompt_toolkit line editing and history, streamed answers, rich
tables for sources and memory, slash commands, and Ctrl-C that stops an answer, not the session."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from docqa.chat.session import ChatSession, TurnResult
from docqa.display import print_answer, sources_table
from docqa.errors import DocqaError

HELP = """commands:
  /memory     the working memory: passages with weight, age, tokens; capacity; the last rewrite
  /sources    the sources of the last answer
  /forget N   forget passage N of /memory
  /clear      forget the whole conversation and all evidence
  /save       save the session now (it is also saved after every turn)
  /exit       leave (Ctrl-D too); Ctrl-C stops an answer being written"""


def print_memory(console: Console, report: dict) -> None:
    console.print(
        f"[bold]memory[/bold] · session {escape(report['session'])} · {report['turns']} turns · "
        f"evidence {report['evidence_tokens']} / {report['capacity_tokens']} tokens · "
        f"conversation {report['history_tokens']} / {report['history_limit']} tokens "
        f"(summary {report['summary_tokens']})"
    )
    if report["last_rewrite"]:
        console.print(f"last rewrite ({report['last_rewrite_method']}): {escape(report['last_rewrite'])}")
    table = Table()
    for col in ("n", "document", "page", "weight", "age", "from turn", "tokens"):
        table.add_column(col)
    for e in report["evidence"]:
        table.add_row(
            str(e["n"]), escape(Path(e["path"]).name), e["pages"], f"{e['weight']:.3f}", str(e["age"]),
            str(e["born"]), str(e["tokens"]),
        )
    console.print(table)
    if report["summary"]:
        console.print(f"[dim]summary:[/dim] {escape(report['summary'])}")


class _CtrlC:
    """While an answer is being written, Ctrl-C sets a flag the generator polls between tokens."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self._previous = None

    def __enter__(self) -> _CtrlC:
        self.event.clear()
        self._previous = signal.signal(signal.SIGINT, lambda *_: self.event.set())
        return self

    def __exit__(self, *exc) -> None:
        signal.signal(signal.SIGINT, self._previous)


def _turn(session: ChatSession, line: str, console: Console) -> TurnResult:
    # The reply is verified before it is shown; Ctrl-C still stops the model between tokens.
    with _CtrlC() as ctrl_c, console.status("reading the evidence…"):
        result = session.ask(line, cancelled=ctrl_c.event.is_set)
    if result.cancelled:
        console.print("[yellow](cancelled: this turn is not remembered)[/yellow]")
        return result
    ans = result.answer
    if result.rewrite_method != "none":
        console.print(f"[dim]rewritten ({result.rewrite_method}): {escape(result.rewritten)}[/dim]")
    print_answer(console, ans, closest=False)
    console.print(
        f"[dim]memory {session.memory.evidence_tokens}/{session.settings.capacity_tokens} tokens · "
        f"request {result.tokens.get('answer_request', 0)}/{result.tokens['context']} tokens[/dim]"
    )
    return result


def _command(session: ChatSession, line: str, console: Console) -> bool:
    """Run a slash command; False means leave."""
    cmd, _, arg = line.partition(" ")
    if cmd in ("/exit", "/quit"):
        return False
    if cmd == "/memory":
        print_memory(console, session.report())
    elif cmd == "/sources":
        citations = session.last.get("citations") or []
        console.print(sources_table(citations) if citations else "no sources yet")
    elif cmd == "/forget":
        if not arg.strip().isdigit():
            console.print("[red]usage:[/red] /forget N (N from /memory)")
        else:
            gone = session.forget(int(arg))
            console.print(f"forgot {escape(Path(gone.evidence.path).name)} p.{gone.evidence.pages}")
    elif cmd == "/clear":
        session.clear()
        console.print("memory cleared")
    elif cmd == "/save":
        session.save()
        console.print(f"saved session {escape(session.name)}")
    elif cmd == "/help":
        console.print(HELP, markup=False)
    else:
        console.print(f"[red]unknown command[/red] {escape(cmd)} (/help lists them)")
    return True


def run(session: ChatSession, console: Console, history_file: Path) -> None:
    """The read-eval-print loop, until /exit or Ctrl-D."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    prompt = PromptSession(history=FileHistory(str(history_file)))
    report = session.report()
    console.print(
        f"docqa chat · session [bold]{escape(session.name)}[/bold] · {report['turns']} turns · "
        f"memory {report['evidence_tokens']}/{report['capacity_tokens']} tokens · /help for commands"
    )
    while True:
        try:
            line = prompt.prompt("> ").strip()
        except KeyboardInterrupt:  # Ctrl-C at the prompt drops the line, as in a shell
            continue
        except EOFError:
            break
        if not line:
            continue
        try:
            if line.startswith("/"):
                if not _command(session, line, console):
                    break
            else:
                _turn(session, line, console)
        except DocqaError as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}")
    session.save()
    console.print(f"session {escape(session.name)} saved · resume with: docqa chat --session {escape(session.name)}")
