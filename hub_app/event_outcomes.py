"""How an event ends: the outcome on its log line, and the app's exception handlers (what a tab
is shown when a handler raises).

The event socket's door (hub_app/transport.py) times every event it admits and calls `event_done`
when the handler's run ends; Reflex calls `log_backend_exception` when a handler raises, which
notes the failure for that log line and returns the toast the tab sees: a refusal (HubError) as
its translated message in the tab's language, anything else as Reflex's generic notice, with the
traceback logged through traceback_for_log (an exception's message may quote what a visitor sent).
"""

import logging
import re
import time
from collections import OrderedDict

from redis.exceptions import RedisError
from reflex_base import constants
from reflex_base.event.context import EventContext
from reflex_base.utils.exceptions import LockExpiredError
from reflex_components_sonner.toast import toast

from hub_app.domain.errors import HubError, Unavailable
from hub_app.domain.log_text import for_log, traceback_for_log
from hub_app.i18n import normalize_locale, translate
from hub_app.logs import log_event
from hub_app.settings import get_settings

_frontend_log = logging.getLogger("hub.frontend")
_backend_log = logging.getLogger("hub.backend")

TOAST_MS = 15_000  # how long a refusal's toast stays
_LANG_COOKIE = re.compile(r"(?:^|;)\s*hub_lang=([a-z]{2})\s*(?:;|$)")
# Events whose handler raised (by transaction id), told by log_backend_exception; read when they end.
_failed: OrderedDict[str, str] = OrderedDict()
_FAILED_KEPT = 10_000


def tab_locale(cookie_header: str) -> str:
    """The language of a tab from its Cookie header (hub_lang), or the default."""
    match = _LANG_COOKIE.search(cookie_header)
    return normalize_locale(match.group(1) if match else "")


def event_done(arriving: tuple[str, str, float], future) -> None:
    name, token, started = arriving
    failed = _failed.pop(getattr(future, "txid", ""), None)
    if future.cancelled():
        outcome = "cancelled"
    elif future.exception() is not None:
        outcome = "error"
    else:
        outcome = failed or "ok"
    log_event(name, token, outcome, time.perf_counter() - started)


def _mark_failed(outcome: str) -> None:
    """Notes that the event being handled failed, for its log line (a chained event's failure is
    its own, not its parent's: only events that a tab sent are noted)."""
    try:
        context = EventContext.get()
    except LookupError:
        return
    if context.parent_txid is None:
        _failed[context.txid] = outcome
        while len(_failed) > _FAILED_KEPT:  # events that never end here (not sent by a tab) do not pile up
            _failed.popitem(last=False)


def log_frontend_exception(exception: Exception) -> None:
    """Reflex's frontend_exception_handler: one escaped, bounded line per report."""
    _frontend_log.error("frontend error: %s", for_log(exception, get_settings().frontend_error_max_chars))


def log_backend_exception(exception: Exception):
    """Reflex's backend_exception_handler: the traceback through traceback_for_log (an exception's
    message may quote what a visitor sent), then the same notice Reflex's default shows. A refusal
    that a handler left uncaught (e.g. the database unreachable while the actor is looked up) is
    shown as its translated message instead, in the tab's language."""
    from reflex.utils.exec import is_prod_mode

    if isinstance(exception, LockExpiredError | RedisError):
        # The tab's state could not be kept: Redis restarted (every lock and state gone) or the
        # event outlived Reflex's lock on a very busy machine. Nothing is wrong with the request:
        # the member may send it again (retries of bookings and enrolments are safe).
        _backend_log.warning("an event lost its tab state: %s", type(exception).__name__)
        exception = Unavailable("outage.state")
    _mark_failed("refused" if isinstance(exception, HubError) else "error")
    if isinstance(exception, HubError):
        _backend_log.warning("an event handler was refused: %s", exception.key)
        message = translate(exception.key, _event_locale(), **exception.params)
        return toast.error(message, id=exception.key, duration=TOAST_MS, position="top-center")
    _backend_log.error("an event handler failed\n%s", traceback_for_log(exception))
    description = ("Contact the website administrator." if is_prod_mode()
                   else f"{type(exception).__name__}: {for_log(exception)}\nSee logs for details.")
    return toast("An error occurred.", level="error", fallback_to_alert=True, description=description,
                 position="top-center", id="backend_error", style={"width": "500px", "white-space": "pre-wrap"})


def _event_locale() -> str:
    """The language of the tab whose event is being handled (its hub_lang cookie)."""
    try:
        headers = EventContext.get().router_data.get(constants.RouteVar.HEADERS, {})
    except LookupError:
        return normalize_locale("")
    return tab_locale(headers.get("cookie", "") if isinstance(headers, dict) else "")
