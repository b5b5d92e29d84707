"""Errors a user can act on. The CLI prints them as one line and exits non-zero."""


def printable_path(path: str) -> str:
    """A path as one printable line: undecodable bytes as \\xNN, control characters (a newline in a
    file name) as escapes, so one message stays one line."""
    path = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in path)


class DocqaError(Exception):
    """Base class: the message is a complete, user-facing sentence."""


class ConfigError(DocqaError):
    """A setting, env var or config file is invalid."""


class LoadError(DocqaError):
    """A file could not be turned into text; the message names the reason (the caller adds the path)."""


class StoreError(DocqaError):
    """The store cannot be opened or written as asked (model mismatch, lock held, ...)."""


class ModelError(DocqaError):
    """A model package is missing or its files are corrupt."""


class UsageError(DocqaError):
    """The request itself is malformed (an empty question, ...): exit code 2 in the CLI."""


class MissingExtra(UsageError):
    """An optional dependency the command needs is not installed; the message names the extra."""


class BudgetExceeded(DocqaError):
    """A request built to fit the model's context does not: a planning bug, never the user's input."""
