"""docqa summarize: summaries across paragraphs, kept as a persistent tree in the store.

windows.py cuts a document into windows that fit one LLM call; nodes.py is the summary memory
(nodes keyed by a hash of their inputs); document.py runs the map-reduce, refine and tree modes;
focus.py summarizes what attention selects for a topic, with citations; jobs.py runs resumable
batch jobs. Scoring against QMSum references lives in docqa/eval/qmsum.py.
"""
