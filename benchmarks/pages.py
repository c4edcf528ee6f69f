"""Page weight and Lighthouse scores.

- Bytes on the wire for the first load of every route, as a phone fetches it (Chromium with an
  empty cache at 390x844, brotli): HTML, JS, CSS, fonts, images; counted from Chromium's network
  events (encodedDataLength: compressed body + headers). Once as a visitor, once signed in.
- Whether every hashed asset is served compressed and with a one-year immutable cache header.
- Lighthouse (npm `lighthouse`, pinned below, installed into .tools/lighthouse) mobile performance
  and accessibility for the main pages; median of a few runs because the machine is shared.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from pathlib import Path

from benchmarks import PROJECT_ROOT, Report, kb, work_root

PAGE_BUDGET_BYTES = 250_000  # member and visitor pages
ADMIN_PAGE_BUDGET_BYTES = 600_000  # /admin/* (staff only)
PERFORMANCE_BUDGET = 95
ACCESSIBILITY_BUDGET = 100
LIGHTHOUSE_ROUTES = ["/", "/book", "/spaces", "/trainings", "/forum"]
# "/" signed in is the member's own hub: a different page from the visitors' one.
LIGHTHOUSE_SIGNED_IN_ROUTES = ["/"]
MEMBER_SIGN_IN = ("rina@umkm.example", "hub-demo-2026!")
LIGHTHOUSE_VERSION = "12.8.2"  # the newest release that runs on Node 20 (13.x needs Node 22)
LIGHTHOUSE_DIR = PROJECT_ROOT / ".tools" / "lighthouse"
LIGHTHOUSE_RUNS = int(os.environ.get("HUB_BENCH_LIGHTHOUSE_RUNS", "3"))
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
MOBILE_UA = ("Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/130.0.0.0 Mobile Safari/537.36")
SIGN_IN = ("admin@jfch.example", "hub-demo-2026!")  # demo account (hub_app/seed/accounts.py)
# Sample values for dynamic route segments, e.g. verify/[token].
SAMPLE_SEGMENTS = {"token": "sample-token", "id": "1", "slug": "sample"}
COMPRESSIBLE = ("Document", "Script", "Stylesheet")


def routes_of_build(web_dir: Path) -> list[str]:
    """Every page route of the built app (from Reflex's routes manifest), dynamic segments filled in."""
    names = json.loads((web_dir / "routes.json").read_text())
    routes = []
    for name in names:
        if name == "404":
            continue
        if name == "index":
            routes.append("/")
            continue
        parts = []
        for part in name.split("/"):
            if part.startswith("[") and part.endswith("]"):
                key = part.strip("[]").lstrip(".")
                part = SAMPLE_SEGMENTS.get(key, "1")
            parts.append(part)
        routes.append("/" + "/".join(parts))
    return sorted(routes, key=lambda route: (route != "/", route))


# ------------------------------------------------------------------------------------------------
# Bytes on the wire


def _launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS[1:], headless=True)


def _new_context(browser, storage_state=None):
    return browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                               has_touch=True, user_agent=MOBILE_UA, storage_state=storage_state)


def first_load(browser, url: str, storage_state=None) -> dict:
    """Loads `url` in a fresh context (empty cache) and returns what went over the network."""
    context = _new_context(browser, storage_state)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    requests: dict[str, dict] = {}
    socket = {"received": 0, "sent": 0, "frames": 0}
    redirects = []

    def on_response(event):
        response = event["response"]
        headers = {name.lower(): value for name, value in response.get("headers", {}).items()}
        requests.setdefault(event["requestId"], {}).update(
            url=response["url"], type=event.get("type", "Other"), status=response["status"], headers=headers)

    def on_finished(event):
        requests.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    def on_frame(direction):
        def handler(event):
            socket[direction] += len(event["response"].get("payloadData", ""))
            socket["frames"] += 1
        return handler

    def on_request(event):
        if "redirectResponse" in event:
            redirects.append(event["redirectResponse"]["url"])

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_frame("received"))
    cdp.on("Network.webSocketFrameSent", on_frame("sent"))
    cdp.send("Network.enable")  # a new context starts with an empty cache
    page.goto(url, wait_until="load")
    try:
        page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # a page that keeps polling still gets measured
        pass
    page.wait_for_timeout(1000)  # the state hydration over the socket
    final_url = page.url
    context.close()
    finished = [entry for entry in requests.values() if "bytes" in entry and "url" in entry]
    return {"url": final_url, "requests": finished, "socket": socket, "redirects": len(redirects)}


def _kind(entry: dict) -> str:
    kind = entry.get("type", "Other")
    return {"Document": "html", "Script": "js", "Stylesheet": "css", "Font": "font", "Image": "img"}.get(kind, "other")


def sign_in_state(browser, base_url: str, account: tuple[str, str] = SIGN_IN):
    """Signs in through the login form like a member would; returns the context's cookies."""
    context = _new_context(browser)
    page = context.new_page()
    page.goto(f"{base_url}/login?lang=en", wait_until="networkidle")
    page.get_by_label("Email").fill(account[0])
    page.get_by_label("Password", exact=True).fill(account[1])
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=30_000)
    page.wait_for_load_state("networkidle")
    state = context.storage_state()
    context.close()
    if not any(cookie["name"] == "hub_session" for cookie in state["cookies"]):
        raise RuntimeError("signing in did not set the session cookie")
    return state


def measure_weights(report: Report, base_url: str, routes: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    header_problems: list[list[str]] = []
    seen_assets: set[str] = set()
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            signed_in = sign_in_state(browser, base_url)
            for who, storage in (("visitor", None), ("signed in", signed_in)):
                rows = []
                for route in routes:
                    result = first_load(browser, base_url + route, storage)
                    totals = {"html": 0, "js": 0, "css": 0, "font": 0, "img": 0, "other": 0}
                    for entry in result["requests"]:
                        totals[_kind(entry)] += entry["bytes"]
                        _check_headers(entry, seen_assets, header_problems)
                    total = sum(totals.values())
                    landed = result["url"].removeprefix(base_url) or "/"
                    by_kind = [kb(totals[kind]) for kind in ("html", "js", "css", "font", "img", "other")]
                    rows.append([route, kb(total), *by_kind, str(len(result["requests"])),
                                 str(result["redirects"]), kb(result["socket"]["received"]),
                                 landed if landed.rstrip("/") != route.rstrip("/") else ""])
                    budget = ADMIN_PAGE_BUDGET_BYTES if route.startswith("/admin") else PAGE_BUDGET_BYTES
                    report.budget(f"first load {route} ({who})", round(total / 1000, 1), budget / 1000, "KB")
                report.table(
                    f"First load as a {who} (KB on the wire, brotli, empty cache, 390x844)",
                    ["route", "total", "html", "js", "css", "font", "img", "other", "requests", "redirects",
                     "socket in", "ended at"], rows,
                    note=f"budget {PAGE_BUDGET_BYTES / 1000:.0f} KB per page, "
                         f"{ADMIN_PAGE_BUDGET_BYTES / 1000:.0f} KB for /admin pages; 'socket in' is the state sent "
                         "over the websocket (text frames, not counted in the total); a redirect costs a round trip")
        finally:
            browser.close()
    report.table("Asset headers (every hashed asset and document fetched above)",
                 ["url", "problem"], header_problems or [["(all)", "none: compressed and cached as they should be"]])


def _check_headers(entry: dict, seen: set[str], problems: list[list[str]]) -> None:
    url, headers, kind = entry["url"], entry.get("headers", {}), entry.get("type", "Other")
    path = "/" + url.split("/", 3)[-1] if url.count("/") >= 3 else url
    if path in seen or entry.get("status") != 200:
        return
    seen.add(path)
    size = int(headers.get("content-length") or 0)
    # Reflex's build leaves files under 256 bytes uncompressed: nothing to gain there.
    if kind in COMPRESSIBLE and headers.get("content-encoding") != "br" and (size >= 256 or not size):
        problems.append([path, f"content-encoding {headers.get('content-encoding', 'none')}, expected br"])
    cache = headers.get("cache-control", "")
    if path.startswith("/assets/") and "immutable" not in cache:
        problems.append([path, f"cache-control {cache or 'none'}, expected public, max-age=31536000, immutable"])
    if kind == "Document" and ("no-cache" not in cache and "no-store" not in cache):
        problems.append([path, f"document cache-control {cache or 'none'}, expected no-cache"])


# ------------------------------------------------------------------------------------------------
# Lighthouse


def lighthouse_binary() -> Path:
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    installed = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json"
    if not binary.exists() or json.loads(installed.read_text()).get("version") != LIGHTHOUSE_VERSION:
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund", "--silent",
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return binary


def lighthouse(url: str, output: Path, cookie: str = "") -> dict:
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    headers = [f"--extra-headers={json.dumps({'Cookie': cookie})}"] if cookie else []
    subprocess.run(
        [str(lighthouse_binary()), url, "--quiet", "--output=json", f"--output-path={output}",
         "--only-categories=performance,accessibility,best-practices,seo", "--form-factor=mobile",
         f"--chrome-flags={' '.join(CHROMIUM_ARGS)}", *headers],
        check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300,
    )
    return json.loads(output.read_text())


METRICS = [("first-contentful-paint", "FCP"), ("largest-contentful-paint", "LCP"), ("total-blocking-time", "TBT"),
           ("cumulative-layout-shift", "CLS"), ("speed-index", "SI")]


def member_cookie(base_url: str) -> str:
    """The Cookie header of a demo member's session, for Lighthouse's signed-in runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            state = sign_in_state(browser, base_url, MEMBER_SIGN_IN)
        finally:
            browser.close()
    return "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in state["cookies"])


def measure_lighthouse(report: Report, base_url: str, routes: list[str]) -> None:
    out_dir = work_root() / "lighthouse"
    out_dir.mkdir(exist_ok=True)
    rows, findings = [], []
    cookie = member_cookie(base_url)
    pages = [(route, "") for route in routes] + [(route, cookie) for route in LIGHTHOUSE_SIGNED_IN_ROUTES]
    for route, session_cookie in pages:
        runs = []
        label = f"{route} (member)" if session_cookie else route
        for attempt in range(LIGHTHOUSE_RUNS):
            name = (route.strip("/") or "home").replace("/", "_") + ("-member" if session_cookie else "")
            runs.append(lighthouse(base_url + route, out_dir / f"{name}-{attempt}.json", session_cookie))
        scores = [run["categories"]["performance"]["score"] * 100 for run in runs]
        median_run = sorted(runs, key=lambda run: run["categories"]["performance"]["score"])[len(runs) // 2]
        performance = statistics.median(scores)
        categories = median_run["categories"]
        accessibility = min(run["categories"]["accessibility"]["score"] * 100 for run in runs)
        metrics = [median_run["audits"][key].get("displayValue", "-").replace("\u00a0", " ") for key, _ in METRICS]
        rows.append([label, f"{performance:.0f}", "/".join(f"{score:.0f}" for score in scores),
                     f"{accessibility:.0f}", f"{categories['best-practices']['score'] * 100:.0f}",
                     f"{categories['seo']['score'] * 100:.0f}", *metrics,
                     "404" if "404" in median_run["audits"].get("http-status-code", {}).get("title", "") else ""])
        report.budget(f"lighthouse performance {label}", performance, PERFORMANCE_BUDGET, higher_is_better=True)
        report.budget(f"lighthouse accessibility {label}", accessibility, ACCESSIBILITY_BUDGET, higher_is_better=True)
        for key, audit in median_run["audits"].items():
            if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") in (
                    "binary", "numeric", "metricSavings"):
                findings.append([label, key, audit.get("displayValue", "").replace("\u00a0", " ")])
    report.table(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile (median of {LIGHTHOUSE_RUNS} runs)",
                 ["route", "perf", "runs", "a11y", "best pr.", "seo", *[name for _, name in METRICS], "status"],
                 rows, note=f"budgets: performance >= {PERFORMANCE_BUDGET}, accessibility >= {ACCESSIBILITY_BUDGET}; "
                            f"reports in {out_dir}")
    if findings:
        report.table("Lighthouse findings (audits scoring below 0.9 in the median run)", ["route", "audit", "value"],
                     findings)


def stylesheets_of_build(report: Report, web_dir: Path) -> None:
    """The CSS every page loads: its size, and whether Radix's theme stylesheet crept in (using a
    Radix component such as rx.text or rx.button anywhere adds ~700 KB of CSS to every page)."""
    import brotli

    rows = []
    for css in sorted((web_dir / "build" / "client" / "assets").glob("*.css")):
        data = css.read_bytes()
        radix = b".radix-themes" in data or b"--radix-" in data
        rows.append([css.name, kb(len(data)), kb(len(brotli.compress(data))), "YES: find the Radix component" if radix
                     else "no"])
        report.budget(f"Radix theme CSS in {css.name.split('-')[0]}", int(radix), 0)
    report.table("Stylesheets in the build", ["file", "KB", "KB brotli", "Radix theme"], rows)

    # rx.icon(<a Var>) makes Reflex load lucide's DynamicIcon, i.e. every icon (~37 KB brotli) on
    # that page; rx.cond(..., rx.icon("a"), rx.icon("b")) keeps it to the icons used.
    assets = web_dir / "build" / "client" / "assets"
    users = sorted(path.name.split("-")[0] for path in assets.glob("*.js")
                   if b"DynamicIcon" in path.read_bytes() and not path.name.startswith(("DynamicIcon", "manifest")))
    if users:
        report.note("rx.icon with a Var name (lucide DynamicIcon, all icons) is used by: " + ", ".join(users))


def run(report: Report) -> None:
    portal = report.portal(database="sqlite")
    routes = routes_of_build(work_root() / ".web")
    extra = [route for route in LIGHTHOUSE_ROUTES if route not in routes]
    if extra:
        report.note(f"not built yet (measured as the 404 page): {', '.join(extra)}")
    stylesheets_of_build(report, work_root() / ".web")
    measure_weights(report, portal.base_url, routes + extra)
    measure_lighthouse(report, portal.base_url, LIGHTHOUSE_ROUTES)
