"""Drive `docqa chat` in a real terminal (tmux): type, watch the screen, press Ctrl-C, read it back.

Steps: start the REPL; ask a question and wait for the answer's quote and source; ask a pronoun follow-up and
press Ctrl-C while its answer streams (the session must survive and say so); /memory; /exit.
Prints what each screen showed and which checks passed; exits 1 if one failed.

    python bench/chat_tmux.py --index index --question "..." --follow-up "How much did it give to ...?"
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

DOCQA = Path(sys.executable).with_name("docqa")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def screen(target: str) -> str:
    # -J joins wrapped lines; -S - takes the scrollback too, so nothing scrolled off is lost.
    return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", target)


def wait_for(target: str, predicate, timeout: float, poll: float = 0.2) -> tuple[bool, str]:
    end = time.monotonic() + timeout
    text = screen(target)
    while not predicate(text) and time.monotonic() < end:
        time.sleep(poll)
        text = screen(target)
    return predicate(text), text


def send(target: str, line: str) -> None:
    tmux("send-keys", "-t", target, "-l", line)
    tmux("send-keys", "-t", target, "Enter")


def drive(index: Path, question: str, follow_up: str, timeout: float) -> dict:
    name = f"docqa-chat-{uuid.uuid4().hex[:8]}"
    session = f"tmux-{name}"
    cmd = f"{shlex.quote(str(DOCQA))} chat --index {shlex.quote(str(index))} --session {session}"
    tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "50", cmd + "; echo DOCQA-EXITED $?; sleep 30")
    checks: dict[str, bool] = {}
    t0 = time.monotonic()
    try:
        checks["prompt shown"], _ = wait_for(name, lambda s: "/help for commands" in s and re.search(r"^>", s, re.M) is not None, timeout)
        send(name, question)
        checks["answer with its quote and source"], first = wait_for(
            name, lambda s: re.search(r"page \d+, paragraph \d+", s) is not None or "sources" in s or "don't answer" in s,
            timeout)
        turn_s = time.monotonic() - t0
        checks["memory line after the turn"], _ = wait_for(name, lambda s: "memory " in s.split(question)[-1], 10)
        send(name, follow_up)
        # Press Ctrl-C as soon as the turn shows anything below the follow-up (the spinner).
        streaming, _ = wait_for(name, lambda s: _after(s, follow_up).strip() != "", timeout, poll=0.1)
        tmux("send-keys", "-t", name, "C-c")
        checks["follow-up started"] = streaming
        checks["Ctrl-C cancels the answer, not the session"], cancelled = wait_for(
            name, lambda s: "cancelled" in _after(s, follow_up) and _after(s, follow_up).rstrip().endswith(">"), 30)
        send(name, "/memory")
        checks["/memory shows the evidence against its capacity"], memory = wait_for(
            name, lambda s: re.search(r"evidence \d+ / \d+ tokens", _after(s, "/memory")) is not None, 15)
        send(name, "/exit")
        checks["/exit saves and leaves"], final = wait_for(name, lambda s: "DOCQA-EXITED 0" in s, 30)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    return {"checks": checks, "first_turn_s": round(turn_s, 1), "session": session,
            "screens": {"first": first, "cancelled": cancelled, "memory": memory,
                        "final": final}}


def _after(text: str, marker: str) -> str:
    """The screen below the last line that shows `marker` (what a command or question printed)."""
    i = text.rfind(marker)
    return text[i + len(marker):] if i >= 0 else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=Path("index"))
    ap.add_argument("--question", default="How much was the Riverbend County 2019 education budget?")
    ap.add_argument("--follow-up", default="How much did it give to rural school grants?")
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds to wait for the model to load and answer")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        print("tmux not found", file=sys.stderr)
        sys.exit(2)
    report = drive(args.index, args.question, args.follow_up, args.timeout)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, ok in report["checks"].items():
            print(f"{'ok  ' if ok else 'FAIL'} {name}")
        print(f"first turn (incl. model load): {report['first_turn_s']} s")
        print("--- /memory screen ---\n" + _after(report["screens"]["memory"], "/memory").strip())
    sys.exit(0 if all(report["checks"].values()) else 1)


if __name__ == "__main__":
    main()
