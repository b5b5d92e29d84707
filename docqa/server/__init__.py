"""A resident docqa: one process holds the models and answers over HTTP (FastAPI), MCP and a web page.

`client` is what the CLI imports to find and use a running server: it stays free of FastAPI,
torch and numpy. `service` holds the index and its locks, `app` the HTTP routes, `jobs` the
background ingest and summary jobs, `mcp_server` the MCP tools.
"""
