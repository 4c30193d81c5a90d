"""Liveness and readiness probes for process managers and load balancers."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from dailypapers.db import current_revision, head_revision
from dailypapers.metrics import exposition
from dailypapers.web.deps import ServicesDep

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)


@router.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return Response("ok", media_type="text/plain")


@router.get("/readyz")
def readyz(services: ServicesDep) -> Response:
    """The database answers and its schema is the one this code expects."""
    try:
        revision = current_revision(services.store.db)
    except Exception as exc:  # any database failure means "not ready", never a 500
        log.warning("not ready: %s", exc)
        return JSONResponse({"ready": False, "error": "database unavailable"}, 503)
    if revision != head_revision():
        return JSONResponse({"ready": False, "error": f"schema at {revision}"}, 503)
    return JSONResponse({"ready": True, "schema": revision})


@router.get("/metrics")
def metrics(services: ServicesDep) -> Response:
    """Prometheus exposition: this process's instruments and the database's figures."""
    body, content_type = exposition(services.store.db)
    return Response(body, media_type=content_type)
