"""Typed request dependencies."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from dailypapers.store import PaperStore


def get_store(request: Request) -> PaperStore:
    return cast(PaperStore, request.app.state.store)


StoreDep = Annotated[PaperStore, Depends(get_store)]
