"""Evaluation, kept out of the product core: nothing in docqa imports this package but the CLI's
`eval` and `eval-summaries` commands (and bench/).

squad.py: SQuAD-format data sets, retrieval hit predicates, EM / F1 · qa.py: `docqa eval` (the
ask pipeline over a data set, scored per stage) · qmsum.py: `docqa eval-summaries` (ROUGE against
QMSum references; needs the `eval` extra: pip install 'docqa[eval]').
"""
