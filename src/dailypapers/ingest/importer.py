"""`dailypapers import FILE`: stream a JSON Lines file (plain or gzip) into the store.

Memory stays constant: lines are read one at a time and written in batches, each batch one
transaction. Re-importing the same file changes nothing; a bad line is reported with its
number and skipped.
"""

from __future__ import annotations

import gzip
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from dailypapers.ingest.formats import RecordError, parse_record
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore

GZIP_MAGIC = b"\x1f\x8b"
MAX_LINE_BYTES = 1 << 20  # a single paper is a few kB; a megabyte line is not a paper
MAX_KEPT_REJECTIONS = 20

ProgressCallback = Callable[[int, int], None]  # (bytes read so far, total bytes)


@dataclass
class ImportSummary:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    daily_added: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, line_no: int, reason: str) -> None:
        self.rejected += 1
        self.reasons[reason.split(":")[0]] += 1
        if len(self.examples) < MAX_KEPT_REJECTIONS:
            self.examples.append((line_no, reason))


def open_maybe_gzip(path: Path) -> tuple[IO[bytes], BinaryIO]:
    """Open ``path`` for reading lines; returns (line source, raw file for progress)."""
    raw = path.open("rb")
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        return io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb"), 1 << 20), raw
    raw.seek(0)
    return raw, raw


def _parse_line(line: bytes, line_no: int, summary: ImportSummary) -> PaperRecord | None:
    if len(line) > MAX_LINE_BYTES:
        summary.reject(line_no, f"line too long: {len(line)} bytes")
        return None
    try:
        obj = json.loads(line)
    except UnicodeDecodeError:
        summary.reject(line_no, "invalid UTF-8")
        return None
    except json.JSONDecodeError as exc:
        summary.reject(line_no, f"invalid JSON: {exc.msg} at column {exc.colno}")
        return None
    try:
        return parse_record(obj)
    except RecordError as exc:
        summary.reject(line_no, str(exc))
        return None


def _read_lines(source: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for line_no, line in enumerate(source, start=1):
        if line.strip():
            yield line_no, line


def import_file(
    store: PaperStore,
    path: Path,
    *,
    batch_size: int = 2000,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import every paper in ``path``; see the module docstring for the guarantees."""
    summary = ImportSummary()
    total = path.stat().st_size
    source, raw = open_maybe_gzip(path)
    batch: list[PaperRecord] = []
    with raw, source:
        try:
            for line_no, line in _read_lines(source):
                summary.read += 1
                record = _parse_line(line, line_no, summary)
                if record is not None:
                    batch.append(record)
                if len(batch) >= batch_size:
                    _flush(store, batch, summary)
                    if progress:
                        progress(raw.tell(), total)
        except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream
            _flush(store, batch, summary)
            raise UnreadableFile(
                f"{path}: could not read past record {summary.read}: {exc}", summary
            ) from exc
        _flush(store, batch, summary)
        if progress:
            progress(total, total)
    return summary


def _flush(store: PaperStore, batch: list[PaperRecord], summary: ImportSummary) -> None:
    if not batch:
        return
    result = store.upsert_papers(batch)
    summary.inserted += result.inserted
    summary.updated += result.updated
    # Repeats of a paper inside one batch count once; report them as unchanged reads.
    summary.unchanged += result.unchanged + (len(batch) - len(result.outcomes))
    summary.daily_added += result.daily_added
    batch.clear()


class UnreadableFile(RuntimeError):
    """The file could not be read to its end; papers before the failure were imported."""

    def __init__(self, message: str, summary: ImportSummary) -> None:
        super().__init__(message)
        self.summary = summary
