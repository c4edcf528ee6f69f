"""CPU per page load, page by page, for a visitor and a signed-in member: where the portal's CPU goes.

One tab at a time on the production path (PostgreSQL + Redis, one worker), so the figure is the
portal's own cost, not queueing: a client-side navigation (on_load_internal, which runs the page's
on_load with the shell's part (hub_app.state.session.page_load) and marks the tab hydrated: one
Reflex event, see hub_app/state/navigation.py) repeated REPEAT times per page with a pause between
them (under the event rate limit), and the menu toggle (one event, no database) for comparison.
CPU is all the portal's processes' CPU time over the loads (background duties included, which is
why a quiet page still costs a little). The budget is 3 ms of CPU per event for a navigation
counted as Reflex makes it (on_load_internal, the page's on_load, set_is_hydrated), so 9 ms per
page load.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks import Report, Stats
from benchmarks._client import ROOT_STATE, ReflexClient, is_hydrated, shell_events_name, sign_in

PAGES = ["/", "/trainings", "/forum", "/spaces", "/bookings", "/book", "/events", "/members"]
REPEAT = 30
PAUSE_SECONDS = 0.06  # 16 events/s from one tab: under its rate limit (20/s)
NAVIGATE = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
BUDGET_MS_PER_EVENT = 3
EVENTS_PER_LOAD = 3  # as Reflex makes a navigation; the portal runs them as one (OneEventNavigation)


async def _cost(portal, tab: ReflexClient, send) -> tuple[float, float]:
    """(CPU ms, wall p50 ms) per call of send()."""
    for _ in range(3):
        await send()
        await asyncio.sleep(PAUSE_SECONDS)
    walls = []
    cpu_before = portal.cpu_seconds()
    for _ in range(REPEAT):
        started = time.perf_counter()
        await send()
        walls.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(PAUSE_SECONDS)
    return (portal.cpu_seconds() - cpu_before) / REPEAT * 1000, Stats(walls).p50


async def _measure(report: Report, portal) -> None:
    from benchmarks.events import MEMBER_PASSWORD, create_members

    email = create_members(portal.database_url, 1)[0]
    cookie = await sign_in(portal.base_url, email, MEMBER_PASSWORD)
    figures: dict[str, dict[str, tuple[float, float]]] = {}
    for who, tab_cookie in (("visitor", ""), ("member", cookie)):
        tab = ReflexClient(portal.base_url, cookie=tab_cookie)
        await tab.connect("/")
        try:
            for page in PAGES:
                async def navigate(page=page, tab=tab):
                    await tab.call(NAVIGATE, path=page, done=is_hydrated)

                figures.setdefault(page, {})[who] = await _cost(portal, tab, navigate)

            async def toggle(tab=tab):
                await tab.call(f"{shell_events_name()}.toggle_menu")

            figures.setdefault("menu toggle (1 event)", {})[who] = await _cost(portal, tab, toggle)
        finally:
            await tab.disconnect()
    rows = [[page, f"{by['visitor'][0]:.1f}", f"{by['member'][0]:.1f}", f"{by['visitor'][1]:.1f}",
             f"{by['member'][1]:.1f}"] for page, by in figures.items()]
    report.table("CPU per page load (on_load_internal running the page's on_load with the shell's part, "
                 "one event), one tab at a time, PostgreSQL + Redis, 1 worker",
                 ["page", "visitor CPU ms", "member CPU ms", "visitor wall p50 ms", "member wall p50 ms"], rows,
                 note=f"{REPEAT} loads per page; CPU: all the portal's processes; budget {BUDGET_MS_PER_EVENT} ms "
                      f"per event, a navigation counted as Reflex's {EVENTS_PER_LOAD} "
                      f"({EVENTS_PER_LOAD * BUDGET_MS_PER_EVENT} ms per page load)")
    loads = [by[who][0] for page, by in figures.items() if page in PAGES for who in ("visitor", "member")]
    report.budget("CPU per page load, mean of the pages above", round(sum(loads) / len(loads), 1),
                  EVENTS_PER_LOAD * BUDGET_MS_PER_EVENT, "ms")


def run(report: Report) -> None:
    portal = report.portal(database="postgres", redis=True, workers=1)
    try:
        asyncio.run(_measure(report, portal))
    finally:
        report.close_portals()
