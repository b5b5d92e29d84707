"""How an answer reads in a terminal: the short answer, the quote that holds it, where it is.

Shared by `docqa ask` and the `docqa chat` terminal, so an answer looks the same in both.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from docqa.cjk import one_line
from docqa.locators import describe, hit_locator


def sources_table(citations: list[dict]) -> Table:
    """Citations as dicts (`dataclasses.asdict`, or as a chat session saved them)."""
    table = Table(title="sources")
    for col in ("n", "document", "where", "verified", "snippet"):
        table.add_column(col, overflow="fold")
    for c in citations:
        # Sessions saved before quotes were verified say "supported".
        verified = c.get("verified", c.get("supported", False))
        table.add_row(
            str(c["n"]), escape(Path(c["path"]).name), escape(_where(c)),
            "yes" if verified else "[red]no[/red]", escape((c.get("quote") or c["snippet"])[:160]),
        )
    return table


def _where(c: dict) -> str:
    """The citation's locator; sessions saved before locators existed get one from page and paragraph."""
    return c.get("locator") or describe(
        c["path"], c["page_start"], c["page_end"], c.get("section", ""), paragraph=c["paragraph"], with_section=True
    )



def print_answer(out: Console, ans, closest: bool = True) -> None:
    """The short answer first, then the quote that holds it, located by document, page and paragraph.
    An abstention says why, and lists the `closest` passages."""
    if not ans.answered:
        out.print(f"[bold]{escape(ans.text)}[/bold] [dim]({escape(ans.abstain_reason)})[/dim]")
        if not closest or not ans.candidates:
            return
        out.print("closest passages:")
        for c in ans.candidates[:3]:
            out.print(f"  {escape(Path(c.hit.path).name)} ({escape(hit_locator(c.hit))}): {escape(one_line(c.hit.text)[:140])}")
        return
    if not ans.quote and not ans.unverified_reason:  # an overview: sentences with their citations
        out.print(escape(ans.text))
        out.print(sources_table([asdict(c) for c in ans.citations]))
        return
    where = ""
    if ans.citations:
        c = ans.citations[0]
        where = f"{escape(Path(c.path).name)}, {escape(_where(asdict(c)))} [{c.n}]"
    if ans.escalated_from:
        where += f" · answered by {escape(ans.model)}"
    if ans.verified:
        out.print(f"[bold]{escape(ans.short_answer)}[/bold]")
        out.print(f"  “{escape(ans.quote)}”")
        out.print(f"  [dim]— {where} · quote verified[/dim]")
        return
    # Unverified: the reason, and the sentence closest to the answer when one was found (an answer
    # that restates the question has none: the passage it cites is named alone).
    out.print(f"[bold]{escape(ans.short_answer)}[/bold] [yellow](unverified: {escape(ans.unverified_reason)})[/yellow]")
    if ans.quote:
        out.print(f"  closest sentence: “{escape(ans.quote)}”")
    if where:
        out.print(f"  [dim]— {where}[/dim]")
