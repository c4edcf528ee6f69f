"""The outcome in an event's log line and counter: Reflex runs a handler in its EventContext and,
when the handler raises, calls the app's backend exception handler (event_outcomes.log_backend_exception)
in that context; the event's future then ends normally. The line must still say refused (a HubError)
or error, and a failure of an event that another event chained is not its parent's."""

import asyncio
import io
import json
import time

from reflex_base.event.context import EventContext
from reflex_base.event.processor.future import EventFuture

from hub_app.domain.errors import NotAllowed
from hub_app.event_outcomes import event_done, log_backend_exception
from hub_app.logs import configure_logging


def _outcome_after(exception: Exception | None, *, chained: bool = False) -> dict:
    async def handle() -> dict:
        context = EventContext(token="tab-token-1234", state_manager=None, enqueue_impl=None,
                               parent_txid="the-parent" if chained else None)
        if exception is not None:
            EventContext.set(context)
            log_backend_exception(exception)  # as Reflex calls it inside the event's task
        future = EventFuture(txid=context.txid)
        future.set_result(None)
        stream = io.StringIO()
        configure_logging(stream, "json")
        try:
            event_done(("state.page.save", "abcdefgh12345678", time.perf_counter()), future)
        finally:
            configure_logging()
        return next(json.loads(line) for line in stream.getvalue().splitlines() if '"kind": "event"' in line)

    return asyncio.run(handle())


def test_a_handler_that_ends_well_is_ok():
    line = _outcome_after(None)
    assert (line["handler"], line["tab"], line["outcome"]) == ("state.page.save", "abcdefgh", "ok")


def test_an_uncaught_refusal_and_a_crash_are_named():
    assert _outcome_after(NotAllowed("error.not_allowed"))["outcome"] == "refused"
    assert _outcome_after(RuntimeError("boom"))["outcome"] == "error"


def test_a_chained_events_failure_is_its_own():
    assert _outcome_after(RuntimeError("boom"), chained=True)["outcome"] == "ok"
