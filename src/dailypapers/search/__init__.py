"""Search: query parsing, lexical (BM25) and semantic rankers, fusion, similar papers."""

# onnxruntime must be loaded before usearch: the other order crashes the interpreter at
# import time (seen with onnxruntime 1.31 and usearch 2.26 on x86-64). Every module of this
# package imports through here, so this line fixes the order for all of them.
import onnxruntime  # noqa: F401
