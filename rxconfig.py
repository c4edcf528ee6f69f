"""Reflex configuration; everything that varies per deployment comes from hub_app.settings.

Production path (README "Configuration"): HUB_DATABASE_URL=postgresql://..., HUB_REDIS_URL=redis://...
(Reflex state in Redis, so several backend workers can serve the same tab: GRANIAN_WORKERS=N),
HUB_ALLOWED_ORIGINS, HUB_PUBLIC_BASE_URL (the address browsers use, also for the websocket) and
HUB_TRUSTED_PROXY_HOPS behind HTTP proxies.
"""

import os
from urllib.parse import urlsplit

import reflex as rx

from hub_app.respawn import respawn_failed_workers_by_default
from hub_app.settings import get_settings

settings = get_settings()

# A backend worker that dies (e.g. killed by the out-of-memory killer) is replaced while the others
# keep serving; Reflex starts Granian without that option (hub_app/respawn.py says why here).
respawn_failed_workers_by_default()

# REFLEX_REDIS_URL is honoured too (Reflex's own name); HUB_REDIS_URL wins.
redis_url = settings.redis_url or os.environ.get("REFLEX_REDIS_URL", "")
if not redis_url and os.environ.get("GRANIAN_WORKERS", "1").strip() not in ("", "1"):
    # Disk state lives inside one process: a second worker would not see the tab's state.
    raise SystemExit("GRANIAN_WORKERS above 1 needs HUB_REDIS_URL (Reflex state in Redis); see README 'Configuration'")

# Reflex's disk state (the single-worker SQLite path) writes changed tab states and scans the whole
# state folder for expired files after every write batch, every 2 s by default; with hundreds of
# open tabs that scan was a fifth of the worker's CPU (benchmarks/events.py). Batch for longer.
os.environ.setdefault("REFLEX_STATE_MANAGER_DISK_DEBOUNCE", "10s")

# With Redis, Reflex locks, reads and writes a tab's state for every event. An opportunistic lock
# (a lease) keeps the tab's state in this process for a while after its first event, so the events
# of that while share one lock, one read and one write. The lease lasts HUB_STATE_LEASE_SECONDS (30 s;
# hub_app/state_locks.py sets it, as it renews the tab's 10 s lock meanwhile, which Reflex alone does
# not). Another node that needs the tab breaks the lease at once; a node killed -9 loses at most
# those seconds of tab state (never a database write), and its locks expire as before.
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")

# The browser opens the event websocket at api_url. For a local address the frontend already uses
# the page's own host; for a public one (behind a proxy, https on port 443) it must be that address.
public_host = urlsplit(settings.public_base_url).hostname or ""
public_urls = {} if public_host in ("localhost", "127.0.0.1", "0.0.0.0", "::1") else {
    "api_url": settings.public_base_url.rstrip("/"),
    "deploy_url": settings.public_base_url.rstrip("/"),
}

config = rx.Config(
    app_name="hub_app",
    db_url=settings.database_url,
    redis_url=redis_url or None,
    state_manager_mode="redis" if redis_url else "disk",
    cors_allowed_origins=settings.allowed_origins,
    trusted_proxy_hops=settings.trusted_proxy_hops,
    frontend_compression_formats=["brotli", "gzip"],
    telemetry_enabled=False,
    show_built_with_reflex=False,
    react_strict_mode=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    **public_urls,
)
