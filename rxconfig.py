"""Reflex configuration; everything that varies per deployment comes from hub_app.settings."""

import reflex as rx

from hub_app.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="hub_app",
    db_url=settings.database_url,
    redis_url=settings.redis_url or None,
    state_manager_mode="redis" if settings.redis_url else "disk",
    cors_allowed_origins=settings.allowed_origins,
    frontend_compression_formats=["brotli", "gzip"],
    telemetry_enabled=False,
    show_built_with_reflex=False,
    react_strict_mode=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
