"""Probes for the proxy and the orchestrator.

- `/health`: the process is alive and answering (no database, no Redis): a liveness probe. A node
  that fails it is stuck and should be restarted.
- `/ready`: the node can serve members: the database answers and, when Reflex's state lives in
  Redis, Redis answers, each within `_TIMEOUT` seconds. 503 with what failed otherwise; a proxy or
  orchestrator stops sending traffic to the node until it passes again (restarting it would not help).
  A node that was told to stop answers 503 "draining" while it moves its tabs away (hub_app/drain.py).
- `/api/health`: the older probe (the database only), kept for existing deployments.

All three sit at the root of the backend, next to Reflex's own routes, so nginx forwards them like
any other path and an orchestrator can reach each node directly on its port. They say which
dependency failed, never why (no driver messages, addresses or versions).
"""

import asyncio
import os

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub_app.db import new_session
from hub_app.drain import draining
from hub_app.settings import get_settings

_TIMEOUT = 2.0  # seconds per dependency: a probe that hangs is as bad as one that fails


def _database_ok() -> bool:
    with new_session() as session:
        return session.exec(text("SELECT 1")).scalar() == 1


def redis_url() -> str:
    """Where Reflex keeps tab state, as rxconfig.py decides it ("" when it is on disk)."""
    return get_settings().redis_url or os.environ.get("REFLEX_REDIS_URL", "")


def _redis_ok(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=_TIMEOUT, socket_timeout=_TIMEOUT)
    try:
        return bool(client.ping())
    finally:
        client.close()


async def _check(probe, *args) -> bool:
    try:
        return await asyncio.wait_for(asyncio.to_thread(probe, *args), _TIMEOUT)
    except Exception:  # any failure (refused, timeout, auth, driver) means "not reachable", which is the answer
        return False


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})


async def ready(request: Request) -> JSONResponse:
    if draining():
        return JSONResponse({"status": "draining"}, status_code=503, headers={"cache-control": "no-store"})
    url = redis_url()
    database, cache = await asyncio.gather(_check(_database_ok), _check(_redis_ok, url) if url else _none())
    checks = {"database": "ok" if database else "error",
              "redis": "not used" if cache is None else "ok" if cache else "error"}
    ok = database and cache is not False
    return JSONResponse({"status": "ok" if ok else "error", "checks": checks},
                        status_code=200 if ok else 503, headers={"cache-control": "no-store"})


async def _none() -> None:
    return None


async def api_health(request: Request) -> JSONResponse:
    ok = await _check(_database_ok)
    return JSONResponse({"status": "ok" if ok else "error"}, status_code=200 if ok else 503)


routes = [
    Route("/health", health, methods=["GET"]),
    Route("/ready", ready, methods=["GET"]),
    Route("/api/health", api_health, methods=["GET"]),
]
