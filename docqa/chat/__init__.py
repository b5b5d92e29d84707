"""`docqa chat`: a conversation over the index with a working memory of fixed capacity that forgets."""

from docqa.chat.memory import Evidence, Forgotten, Memory, Turn
from docqa.chat.session import ChatSession, TurnResult

__all__ = ["ChatSession", "Evidence", "Forgotten", "Memory", "Turn", "TurnResult"]
