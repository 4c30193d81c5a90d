"""Search: query parsing, lexical (BM25) and semantic rankers, fusion, similar papers."""
