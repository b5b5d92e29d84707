"""docqa: local document question answering with citations.

    from docqa import Index
    idx = Index.open("index")
    idx.ingest(["sample_docs"])
    hits = idx.search("rural school grants", k=5)
"""

import docqa.models  # noqa: F401  (sets HF_HUB_OFFLINE before any model library loads)
from docqa.settings import Settings, load_settings

__all__ = ["Index", "Settings", "load_settings"]


def __getattr__(name: str):
    # Index pulls in torch and faiss; importing it lazily keeps `docqa --help` fast.
    if name == "Index":
        from docqa.index import Index

        return Index
    raise AttributeError(name)
