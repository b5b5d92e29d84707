"""`docqa chat`: a conversation over the index with a working memory of fixed capacity that forgets."""

from docqa.chat.memory import ChatMemory, Evidence, Forgotten, Turn
from docqa.chat.session import ChatSession, TurnResult

__all__ = ["ChatMemory", "ChatSession", "Evidence", "Forgotten", "Turn", "TurnResult"]
