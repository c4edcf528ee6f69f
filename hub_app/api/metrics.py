"""/metrics: the node's figures (hub_app/metrics.py) in the Prometheus text format, not public.

A scrape is answered when it carries `Authorization: Bearer <HUB_METRICS_TOKEN>` (compared in
constant time) or comes from an address inside HUB_METRICS_ALLOW (loopback by default: a Prometheus
on the node itself, or an internal network). Behind a proxy the address is the client's only when
HUB_TRUSTED_PROXY_HOPS says how many proxies to trust; a request that came through an untrusted
proxy (it carries X-Forwarded-For while no hops are trusted) is never admitted by address, so a
stranger on the internet is not mistaken for the proxy on the loopback. Otherwise: 401 without a
token (with a Bearer challenge), 403 with a wrong one.
"""

import asyncio
import hmac
import ipaddress
import logging
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from hub_app import metrics
from hub_app.settings import get_settings

log = logging.getLogger("hub.metrics")
_TIMEOUT = 5.0


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]) -> tuple:
    networks = []
    for item in allowed:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            log.warning("HUB_METRICS_ALLOW: %r is not a network; ignored", item[:60])
    return tuple(networks)


def address_allowed(request: Request) -> bool:
    settings = get_settings()
    if settings.trusted_proxy_hops == 0 and "x-forwarded-for" in request.headers:
        return False
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.metrics_allow)))


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


async def scrape(request: Request) -> Response:
    token = get_settings().metrics_token
    offered = _bearer(request)
    if offered is not None:
        if not token or not hmac.compare_digest(offered.encode(), token.encode()):
            return PlainTextResponse("forbidden\n", status_code=403)
    elif not address_allowed(request):
        return PlainTextResponse("a bearer token is required\n", status_code=401,
                                 headers={"www-authenticate": 'Bearer realm="metrics"'})
    try:
        figures = await asyncio.wait_for(asyncio.to_thread(metrics.read_database_figures), _TIMEOUT)
    except Exception:  # the database is down or slow: say so in hub_database_up, keep the rest
        figures = None
    return Response(metrics.exposition(figures), media_type=metrics.CONTENT_TYPE,
                    headers={"cache-control": "no-store"})


routes = [Route("/metrics", scrape, methods=["GET"])]
