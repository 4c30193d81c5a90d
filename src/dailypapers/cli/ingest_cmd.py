"""`dailypapers ingest arxiv`: the real arXiv clients (API by id, OAI-PMH, daily listing)."""

from __future__ import annotations

from datetime import date

import typer

from dailypapers.arxiv_ids import ArxivId, InvalidArxivId, parse_arxiv_id
from dailypapers.cli.common import EXIT_BAD_INPUT, console, fail, load_settings, opened_store
from dailypapers.ingest.arxiv_api import ArxivApiError, fetch_by_ids
from dailypapers.ingest.http import (
    ArxivRequestRejected,
    ArxivUnavailable,
    PoliteClient,
    client_for,
)
from dailypapers.ingest.listing import ingest_listing
from dailypapers.ingest.oai import FORMATS, HarvestError, HarvestSummary, harvest
from dailypapers.ingest.xmlfeed import MalformedFeed
from dailypapers.settings import Settings
from dailypapers.store import PaperStore

app = typer.Typer(help="Fetch papers from external sources.", no_args_is_help=True)


def _parse_ids(values: list[str]) -> list[ArxivId]:
    try:
        return [parse_arxiv_id(v) for v in values]
    except InvalidArxivId as exc:
        fail(str(exc), code=EXIT_BAD_INPUT)


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected a date as YYYY-MM-DD", code=EXIT_BAD_INPUT)


@app.command("arxiv")
def arxiv(
    ids: list[str] = typer.Option([], "--id", help="arXiv id or abs/pdf URL (repeatable)."),
    set_spec: str | None = typer.Option(None, "--set", help="OAI-PMH set, e.g. cs or math."),
    from_: str | None = typer.Option(None, "--from", help="Harvest from this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Harvest until this date."),
    prefix: str = typer.Option("arXiv", help="OAI-PMH metadataPrefix: arXiv or arXivRaw."),
    restart: bool = typer.Option(False, help="Discard a saved resumption token."),
    listing: list[str] = typer.Option(
        [],
        "--listing",
        help="Category whose daily listing becomes today's feed, e.g. cs.CL (repeatable).",
    ),
    include_cross: bool = typer.Option(False, help="With --listing: also cross-lists."),
) -> None:
    """Fetch by --id, harvest a --set over dates, or take today's --listing."""
    modes = sum(bool(x) for x in (ids, set_spec, listing))
    if modes != 1:
        fail("choose exactly one of --id, --set (with --from) or --listing", code=EXIT_BAD_INPUT)
    if prefix not in FORMATS:
        fail(f"--prefix must be one of {', '.join(FORMATS)}", code=EXIT_BAD_INPUT)
    settings = load_settings()
    parsed_ids = _parse_ids(ids)
    start, end = _parse_day(from_, "--from"), _parse_day(until, "--until")
    if set_spec and start is None:
        fail("--set needs --from YYYY-MM-DD", code=EXIT_BAD_INPUT)
    with opened_store(settings) as store, client_for(settings) as client:
        try:
            if parsed_ids:
                _by_id(store, client, settings, parsed_ids)
            elif set_spec and start:
                _by_set(store, client, settings, set_spec, start, end, prefix, restart)
            else:
                _listing(store, client, settings, listing, include_cross)
        except (
            ArxivUnavailable,
            ArxivRequestRejected,
            ArxivApiError,
            MalformedFeed,
            HarvestError,
        ) as exc:
            fail(str(exc))
        except ValueError as exc:
            fail(str(exc), code=EXIT_BAD_INPUT)


def _by_id(store: PaperStore, client: PoliteClient, settings: Settings, ids: list[ArxivId]) -> None:
    fetched = fetch_by_ids(client, settings.arxiv_api_url, ids)
    result = store.upsert_papers(fetched.records)
    console.print(
        f"fetched {len(fetched.records)}: {result.inserted} inserted, "
        f"{result.updated} updated, {result.unchanged} unchanged"
    )
    if fetched.missing:
        fail(f"arXiv does not know: {', '.join(fetched.missing)}")


def _by_set(
    store: PaperStore,
    client: PoliteClient,
    settings: Settings,
    set_spec: str,
    start: date,
    end: date | None,
    prefix: str,
    restart: bool,
) -> None:
    def report(summary: HarvestSummary) -> None:
        console.print(
            f"page {summary.pages}: {summary.inserted} inserted, "
            f"{summary.updated} updated, {summary.unchanged} unchanged"
        )

    summary = harvest(
        store,
        client,
        settings.arxiv_oai_url,
        set_spec=set_spec,
        start=start,
        until=end,
        prefix=prefix,
        restart=restart,
        on_page=report,
    )
    resumed = " (resumed)" if summary.resumed else ""
    console.print(
        f"harvest complete{resumed}: {summary.pages} pages, {summary.inserted} "
        f"inserted, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.skipped} deleted records skipped"
    )


def _listing(
    store: PaperStore,
    client: PoliteClient,
    settings: Settings,
    categories: list[str],
    include_cross: bool,
) -> None:
    result = ingest_listing(
        store, client, settings.arxiv_listing_url, categories, include_cross=include_cross
    )
    console.print(
        f"listing of {result.day}: {len(result.records)} new papers, "
        f"{result.stored.inserted} inserted, {result.stored.daily_added} added to "
        f"the daily feed"
    )
