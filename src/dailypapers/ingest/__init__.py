"""Getting papers in: file imports and the arXiv clients (API, OAI-PMH, daily listing)."""
