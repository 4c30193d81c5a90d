"""`dailypapers import FILE`: stream a JSON Lines file (plain or gzip) into the store.

Memory stays constant: lines are read one at a time and written in batches, each batch one
transaction (in file order; large files are parsed in a second process meanwhile).
Re-importing the same file changes nothing; a bad line is reported with its number and
skipped.
"""

from __future__ import annotations

import ctypes
import gzip
import io
import json
import multiprocessing
import os
import signal
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from dailypapers.ingest.formats import RecordError, parse_record
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore

GZIP_MAGIC = b"\x1f\x8b"
MAX_LINE_BYTES = 1 << 20  # a single paper is a few kB; a megabyte line is not a paper
MAX_KEPT_REJECTIONS = 20
PIPELINE_BYTES = 4 << 20  # from this file size on, parsing runs in a second process
PR_SET_PDEATHSIG = 1  # Linux prctl(2): a signal for this process when its parent dies

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


def _parse_line(line: bytes) -> PaperRecord | str:
    """The line's record, or why it was rejected."""
    if len(line) > MAX_LINE_BYTES:
        return f"line too long: {len(line)} bytes"
    try:
        obj = json.loads(line)
    except UnicodeDecodeError:
        return "invalid UTF-8"
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} at column {exc.colno}"
    try:
        return parse_record(obj)
    except RecordError as exc:
        return str(exc)


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
    parse = _parser(total)
    with raw, source, parse:
        try:
            for records in parse.batches(_batches(_read_lines(source), batch_size), summary):
                _flush(store, records, summary)
                if progress:
                    progress(raw.tell(), total)
        except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream
            for records in parse.rest(summary):
                _flush(store, records, summary)
            raise UnreadableFile(
                f"{path}: could not read past record {summary.read}: {exc}", summary
            ) from exc
        if progress:
            progress(total, total)
    return summary


Lines = list[tuple[int, bytes]]
Records = list[PaperRecord]
Parsed = tuple[Records, list[tuple[int, str]]]  # records, (line, reason) rejected


def _batches(lines: Iterator[tuple[int, bytes]], size: int) -> Iterator[Lines]:
    batch: Lines = []
    for item in lines:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_lines(lines: Lines) -> Parsed:
    """The records of a batch of lines, and the lines rejected with their reasons."""
    records: Records = []
    rejected: list[tuple[int, str]] = []
    for line_no, line in lines:
        parsed = _parse_line(line)
        if isinstance(parsed, str):
            rejected.append((line_no, parsed))
        else:
            records.append(parsed)
    return records, rejected


class _InProcess:
    """Parse each batch here, then write it (small files; one core)."""

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def batches(self, batches: Iterator[Lines], summary: ImportSummary) -> Iterator[Records]:
        for lines in batches:
            summary.read += len(lines)
            yield _merged(parse_lines(lines), summary)

    def rest(self, summary: ImportSummary) -> Iterator[Records]:
        return iter(())


class _Pipelined:
    """Parse in a second process while this one writes: on two cores an import costs about
    the larger of parsing and writing instead of their sum. Batches are written in file
    order, so resuming and counting work as in-process."""

    AHEAD = 2  # batches parsed ahead of the writer (bounded memory)

    def __init__(self) -> None:
        # fork: the child needs nothing but this module, already loaded (spawn would run the
        # caller's __main__ again, which a script or `python -` cannot stand).
        self.pool = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent
        )
        self.pending: deque[Future[Parsed]] = deque()

    def __enter__(self) -> _Pipelined:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def batches(self, batches: Iterator[Lines], summary: ImportSummary) -> Iterator[Records]:
        for lines in batches:
            summary.read += len(lines)
            self.pending.append(self.pool.submit(parse_lines, lines))
            if len(self.pending) > self.AHEAD:
                yield _merged(self.pending.popleft().result(), summary)
        yield from self.rest(summary)

    def rest(self, summary: ImportSummary) -> Iterator[Records]:
        while self.pending:
            yield _merged(self.pending.popleft().result(), summary)


def _die_with_parent() -> None:
    """The parser must not outlive the import: a forked child holds copies of the parent's
    database sockets, and a PostgreSQL backend whose client was killed (kill -9) would keep
    its transaction and writer lock open for as long as an orphaned child lives."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the child ends with its call queue
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _merged(parsed: Parsed, summary: ImportSummary) -> Records:
    records, rejected = parsed
    for line_no, reason in rejected:
        summary.reject(line_no, reason)
    return records


def _parser(total_bytes: int) -> _InProcess | _Pipelined:
    forks = "fork" in multiprocessing.get_all_start_methods()
    if total_bytes >= PIPELINE_BYTES and (os.cpu_count() or 1) >= 2 and forks:
        return _Pipelined()
    return _InProcess()


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
