"""Run State event handlers the way a browser does, as any actor, with any payload.

Every public event handler of every State is callable from any browser with any payload
(design.md). This harness sends events through Reflex 0.10.1's real event processing in-process:

- the app (hub_app.hub_app.app) with its pages and on_load events;
- Reflex's own ``EventNamespace.on_event``, which builds ``router_data`` from the socket's
  opening request exactly as in production (headers incl. the Cookie header, client IP, query,
  route), so ``SessionState._actor()`` reads the session from ``self.router.headers.cookie``;
- Reflex's ``BaseStateEventProcessor`` with the app as middleware, an in-memory state manager,
  chained events (``on_load`` chains, returned events) and the backend exception handler hook.

What is replaced: the Socket.IO transport. Deltas and frontend events (``rx.call_script``,
redirects) that would go to the browser are recorded in an ``Outcome`` instead.

Usage (see tests/README.md)::

    def test_something(hub, people):
        tab = hub.browser(people.staff)              # a browser tab signed in as staff
        tab.load("/admin/members")                   # hydrate + on_load chain, like opening the page
        outcome = tab.call(AdminMembersState.change_role, form={"member_id": 3, "role": "admin"})
        outcome.ok()                                  # no unhandled exception
        assert tab.state(AdminMembersState).error     # read the state the browser would see
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import dataclasses
import importlib
import inspect
import json
import pkgutil
import re
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

import reflex as rx
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.event import EventHandler
from reflex_base.event.processor import BaseStateEventProcessor
from reflex_base.utils.format import format_event_handler

ORIGIN = "http://localhost:3000"
HANDLER_TEST_DIR = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------
# Payloads a hostile or broken browser may send for an argument.
# ---------------------------------------------------------------------------------------------

MEGABYTE_TEXT = "x" * (1024 * 1024)


def _nested(depth: int) -> dict:
    """Deeply nested dicts and lists, as JSON from a browser can carry them (a tree: JSON has no
    shared references)."""
    value: dict = {"leaf": ["a", 1, None]}
    for level in range(depth):
        value = {f"k{level}": [value, level]}
    return value


JUNK_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    True,
    "",
    MEGABYTE_TEXT,
    "../../etc/passwd",
    "<script>alert(1)</script>",
    [],
    [1, "two", None],
    {},
    _nested(200),
    {"member_id": -5, "role": "admin", "action": "approve", "notification_id": [1]},
]


def junk_forms(**valid: Any) -> list[dict]:
    """Form dicts with each field in turn replaced by junk, plus whole-form junk; `valid` is a
    correct form for the handler (its fields are what gets replaced)."""
    forms: list[dict] = [{}, {"unexpected": MEGABYTE_TEXT}, {key: None for key in valid}]
    for key in valid:
        for junk in JUNK_VALUES:
            forms.append({**valid, key: junk})
    return forms


# ---------------------------------------------------------------------------------------------
# Enumeration of the app's State classes and their event handlers.
# ---------------------------------------------------------------------------------------------


def import_app():
    """The Reflex app with every page registered (importing hub_app.pages first)."""
    import hub_app.pages  # noqa: F401
    from hub_app.hub_app import app

    if not app._load_events:
        app._apply_decorated_pages()
    return app


def hub_states() -> list[type[rx.State]]:
    """Every State subclass defined in hub_app, parents before children."""
    import_app()
    found: list[type[rx.State]] = []

    def walk(cls):
        for sub in sorted(cls.get_substates(), key=lambda c: c.get_full_name()):
            if sub.__module__.startswith("hub_app"):
                found.append(sub)
            walk(sub)

    walk(rx.State)
    return found


def handler_key(state: type[rx.State], name: str) -> str:
    return f"{state.__name__}.{name}"


def all_handlers() -> dict[str, tuple[type[rx.State], str]]:
    """'StateName.handler' -> (State class, handler name) for every event handler in hub_app,
    including the `setvar` handler Reflex adds to every State."""
    handlers: dict[str, tuple[type[rx.State], str]] = {}
    for state in hub_states():
        for name in state.event_handlers:
            key = handler_key(state, name)
            if key in handlers:
                raise AssertionError(f"two State classes are named {state.__name__}; name them apart")
            handlers[key] = (state, name)
    return handlers


def handler_parameters(state: type[rx.State], name: str) -> list[inspect.Parameter]:
    """The arguments a browser sends for this handler (excluding self)."""
    fn = state.event_handlers[name].fn
    return list(inspect.signature(fn).parameters.values())[1:]


# ---------------------------------------------------------------------------------------------
# Registry: which handlers have a written test.
# ---------------------------------------------------------------------------------------------

COVERED: dict[str, set[str]] = {}


def _as_key(handler: Any) -> str:
    if isinstance(handler, str):
        return handler
    if isinstance(handler, EventHandler):
        state_name, _, name = format_event_handler(handler).rpartition(".")
        state = rx.State.get_class_substate(state_name)
        return handler_key(state, name)
    raise TypeError(f"covers() takes State.handler or 'State.handler', not {handler!r}")


def covers(*handlers: Any) -> Callable:
    """Decorator for a test function: it exercises these handlers (``LoginState.submit`` or
    ``"LoginState.submit"``). The meta test fails for any handler no test covers."""

    def decorate(test):
        for handler in handlers:
            COVERED.setdefault(_as_key(handler), set()).add(f"{test.__module__}.{test.__name__}")
        return test

    return decorate


def import_handler_tests() -> None:
    """Imports every tests/handlers/test_*.py module so their covers() registrations run."""
    for module in pkgutil.iter_modules([str(HANDLER_TEST_DIR)]):
        if module.name.startswith("test_"):
            importlib.import_module(f"{__package__}.{module.name}")


# ---------------------------------------------------------------------------------------------
# Running events.
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    """What the browser would receive for one event (and the events it chained)."""

    deltas: list[dict] = dataclasses.field(default_factory=list)
    frontend_events: list[Any] = dataclasses.field(default_factory=list)
    errors: list[BaseException] = dataclasses.field(default_factory=list)
    # The payload did not fit the handler's parameters, or the handler is Reflex's own (setvar).
    refused_by_reflex: bool = False

    def ok(self) -> Outcome:
        """Fails the test when a handler raised (an unhandled exception is a crash)."""
        if self.errors:
            raise AssertionError("event handler raised: " + "; ".join(_describe(e) for e in self.errors)) \
                from self.errors[0]
        return self

    def not_crashed(self) -> Outcome:
        """Like ok(), but a payload whose keys do not fit the handler's parameters may be refused
        by Reflex before any of our code runs (a TypeError when binding the arguments)."""
        if self.refused_by_reflex:
            ours = [error for error in self.errors if _raised_in_hub_app(error)]
            if ours:
                raise AssertionError("event handler raised: " + _describe(ours[0])) from ours[0]
            return self
        return self.ok()

    @property
    def scripts(self) -> list[str]:
        """JavaScript sent with rx.call_script (e.g. go_to's window.location.assign)."""
        found = []
        for event in self.frontend_events:
            payload = getattr(event, "payload", {}) or {}
            for value in payload.values():
                found.append(str(value))
        return found

    @property
    def navigations(self) -> list[str]:
        """Paths passed to go_to() (window.location.assign)."""
        paths = []
        for script in self.scripts:
            marker = "window.location.assign("
            if marker in script:
                start = script.index(marker) + len(marker)
                end = script.index(")", start)
                with contextlib.suppress(ValueError):
                    paths.append(json.loads(script[start:end]))
        return paths

    @property
    def auth_posts(self) -> list[tuple[str, dict]]:
        """Forms posted to /api/auth/* by state.session.auth_post: (path, fields); a "tab" field
        stands for the tab token the page script adds, and "drops_tab" for the token it removes."""
        posts = []
        for script in self.scripts:
            match = re.search(r"form\.action = (\"[^\"]*\"); const fields = (\{.*?\});", script)
            if match:
                fields = json.loads(match.group(2))
                if "fields.tab = window.sessionStorage.getItem('token')" in script:
                    fields["tab"] = "<this tab>"
                if "window.sessionStorage.removeItem('token')" in script:
                    fields["drops_tab"] = True
                posts.append((json.loads(match.group(1)), fields))
        return posts

    def delta_text(self) -> str:
        return json.dumps(self.deltas, default=str)


def _raised_in_hub_app(error: BaseException) -> bool:
    """Whether the exception passed through our code (rather than Reflex refusing the payload
    before calling the handler)."""
    import traceback

    return any("/hub_app/" in frame.filename for frame in traceback.extract_tb(error.__traceback__))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error)[:300]}"


class _Recorder:
    """Stands in for the Socket.IO namespace that would send updates to the browser."""

    def __init__(self):
        self.current: Outcome | None = None

    async def emit_update(self, update, token: str) -> None:
        if self.current is None:
            return
        if update.delta:
            self.current.deltas.append(dict(update.delta))
        if update.events:
            self.current.frontend_events.extend(update.events)


class Hub:
    """One in-process backend: the app's event processor and an in-memory state manager.
    Created per test by the `hub` fixture; open tabs with `browser(person)`."""

    def __init__(self, state_manager=None):
        """`state_manager`: where the tabs' states live (default: in memory, as one process)."""
        from reflex.app import EventNamespace

        self.app = import_app()
        # The backend's event loop runs in a thread of its own, like a server process, so that the
        # harness works whatever runs on the test's thread (e.g. sync Playwright keeps a loop
        # marked running there while a browser is open).
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="handler-harness-loop", daemon=True)
        self._thread.start()
        self.recorder = _Recorder()
        self.errors: list[BaseException] = []
        self.state_manager = state_manager or StateManagerMemory()
        self.processor = BaseStateEventProcessor(middleware=self.app,
                                                 backend_exception_handler=self._on_backend_exception)
        self.processor.configure(state_manager=self.state_manager, event_namespace=self.recorder)
        self.namespace = EventNamespace("/_event", self.app)
        self._previous_processor = self.app._event_processor
        self.context = contextvars.copy_context()
        self.run(self._start())

    def _on_backend_exception(self, error: Exception):
        self.errors.append(error)
        return None

    async def _start(self):
        self._context_stack = contextlib.ExitStack()
        self._context_stack.enter_context(self.app.set_contexts())
        await self.processor.start()
        self.app._event_processor = self.processor

    async def _stop(self):
        await self.processor.stop()
        self._context_stack.close()
        with contextlib.suppress(Exception):
            await self.state_manager.close()
        self.app._event_processor = self._previous_processor

    def close(self) -> None:
        try:
            self.run(self._stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=30)
            self.loop.close()

    def browser(self, person: Any = None, *, lang: str | object = "id", client_ip: str = "203.0.113.7",
                cookie: str | None = None, tab_token: str | None = None) -> Tab:
        """A new browser tab. `person` is a Person from the `people` fixture (None: a visitor);
        `cookie` overrides the Cookie header entirely (e.g. a forged or revoked token);
        `tab_token` reuses another tab's token (the same browser tab with another cookie, or
        someone who presents an old tab token)."""
        if cookie is None:
            parts = [f"hub_lang={lang}"] if isinstance(lang, str) else []
            if person is not None and person.token:
                parts.append(f"hub_session={person.token}")
            cookie = "; ".join(parts)
        return Tab(self, cookie=cookie, lang=lang, client_ip=client_ip, token=tab_token)

    def run(self, coroutine, timeout: float = 300):
        """Runs a coroutine on the backend's loop and returns its result. One contextvars.Context
        serves the whole backend, as in a server process: the Reflex contexts set at start stay
        set for every later event."""
        result: concurrent.futures.Future = concurrent.futures.Future()

        def start() -> None:
            task = self.loop.create_task(coroutine, context=self.context)

            def finished(done: asyncio.Task) -> None:
                if done.cancelled():
                    result.cancel()
                elif done.exception() is not None:
                    result.set_exception(done.exception())
                else:
                    result.set_result(done.result())

            task.add_done_callback(finished)

        self.loop.call_soon_threadsafe(start)
        return result.result(timeout=timeout)

    async def _settle(self) -> None:
        """Waits until the event and everything it chained has finished."""
        processor = self.processor
        for _ in range(1000):
            await processor.join()
            tasks = [task for task in processor._tasks.values() if not task.done()]
            if tasks:
                await asyncio.wait(tasks)
                continue
            await asyncio.sleep(0)
            if not processor._tasks and not processor._token_queues and processor._queue.empty():
                return
        raise AssertionError("events did not settle (a handler chains itself forever?)")


class Tab:
    """One browser tab: a client token, a socket with its opening request's headers."""

    def __init__(self, hub: Hub, *, cookie: str, lang: Any, client_ip: str, token: str | None = None):
        self.hub = hub
        self.token = token or str(uuid.uuid4())
        self.sid = uuid.uuid4().hex
        self.cookie = cookie
        self.lang = lang
        self.path = "/"
        self.query: dict[str, str] = {}
        headers = [(b"host", b"localhost:3000"), (b"origin", ORIGIN.encode()),
                   (b"user-agent", b"Mozilla/5.0 (handler harness)"), (b"accept-language", b"id-ID,id;q=0.9")]
        if cookie:
            headers.append((b"cookie", cookie.encode("latin-1", "replace")))
        environ = {"asgi.scope": {"headers": headers, "client": (client_ip, 50000)}}
        namespace = hub.namespace
        namespace.sid_to_token[self.sid] = self.token
        namespace._static_router_data[self.sid] = namespace._build_static_router_data(self.sid, environ)

    # -- what the browser sends ----------------------------------------------------------------

    def _router_data(self) -> dict:
        from urllib.parse import urlencode

        search = ("?" + urlencode(self.query)) if self.query else ""
        data: dict[str, Any] = {"pathname": self.path, "asPath": self.path + search}
        params = dict(self.query)
        params.update(self._route_params())
        if params:
            data["query"] = params
        return data

    def _route_params(self) -> dict[str, str]:
        route = self.hub.app.router(self.path) or ""
        params = {}
        for route_part, path_part in zip(route.strip("/").split("/"), self.path.strip("/").split("/"), strict=False):
            if route_part.startswith("[") and route_part.endswith("]"):
                params[route_part.strip("[]").removeprefix("...")] = path_part
        return params

    async def _send(self, name: str, payload: Any) -> Outcome:
        outcome = Outcome()
        hub = self.hub
        hub.recorder.current = outcome
        hub.errors = outcome.errors
        try:
            await hub.namespace.on_event(self.sid, {"name": name, "payload": payload,
                                                    "router_data": self._router_data()})
            await hub._settle()
        finally:
            hub.recorder.current = None
        return outcome

    def load(self, path: str, **query: str) -> Outcome:
        """Opens a page like a browser: hydrate_and_load with the cookie-backed vars, then the
        page's on_load chain (ShellState.load_shell, YourState.load, ...)."""
        return self.hub.run(self.loading(path, **query))

    def loading(self, path: str, **query: str) -> Coroutine[Any, Any, Outcome]:
        """`load` to await in the hub's loop, e.g. while the page's background events run."""
        from reflex.state import State

        from hub_app.state.session import SessionState

        self.path, self.query = path, {key: str(value) for key, value in query.items()}
        client_storage = {f"{SessionState.get_full_name()}.lang{FIELD_MARKER}": self.lang}
        name = format_event_handler(State.event_handlers["hydrate_and_load"])
        return self._send(name, {"vars": client_storage})

    def call(self, handler: EventHandler, *args: Any, **kwargs: Any) -> Outcome:
        """Sends one event for `handler` (e.g. ``LoginState.submit``) with these arguments, as the
        frontend does: positional arguments are mapped onto the parameter names."""
        state_name, _, name = format_event_handler(handler).rpartition(".")
        state = rx.State.get_class_substate(state_name)
        params = [p.name for p in handler_parameters(state, name)]
        if len(args) > len(params):
            raise TypeError(f"{name} takes {len(params)} arguments")
        payload = dict(zip(params, args, strict=False))
        payload.update(kwargs)
        return self.send(handler, payload)

    def send(self, handler: EventHandler | str, payload: Any) -> Outcome:
        """Sends a raw payload (any JSON value: a dict of arguments, or junk) for a handler."""
        name = handler if isinstance(handler, str) else format_event_handler(handler)
        state_name, _, short = name.rpartition(".")
        state = rx.State.get_class_substate(state_name)
        fn = state.event_handlers[short].fn
        # A handler Reflex itself provides (setvar) may refuse a payload with an exception of its
        # own; so may Reflex when the payload does not fit the handler's parameters.
        refused = not isinstance(payload, dict) or not fn.__module__.startswith("hub_app")
        if not refused:
            try:
                inspect.signature(fn).bind(object(), **payload)
            except TypeError:
                refused = True
        outcome = self.hub.run(self._send(name, payload))
        outcome.refused_by_reflex = refused
        return outcome

    # -- what the browser would see --------------------------------------------------------------

    def state(self, state_cls: type[rx.State]) -> rx.State:
        """The live backend state of this tab (read it; do not change it)."""

        async def fetch():
            root = await self.hub.state_manager.get_state(BaseStateToken(ident=self.token, cls=state_cls))
            return await root.get_state(state_cls)

        return self.hub.run(fetch())

    def stored_state(self) -> bytes:
        """The whole state tree of this tab as the disk/Redis state managers would store it."""

        async def dump():
            root = await self.hub.state_manager.get_state(BaseStateToken(ident=self.token, cls=rx.State))
            parts = []

            def walk(state):
                parts.append(state._serialize())
                for sub in state.substates.values():
                    walk(sub)

            walk(root)
            return b"".join(parts)

        return self.hub.run(dump())

    def picklable(self) -> None:
        """The whole state tree of this tab can be stored by the disk/redis state managers."""

        async def check():
            root = await self.hub.state_manager.get_state(BaseStateToken(ident=self.token, cls=rx.State))

            def walk(state):
                state._serialize()
                for sub in state.substates.values():
                    walk(sub)

            walk(root)

        self.hub.run(check())


def call_with_junk(tab: Tab, state: type[rx.State], name: str, values: Iterable[Any] = JUNK_VALUES) -> None:
    """Calls a handler with every junk value in every argument (and junk payload shapes); fails on
    any unhandled exception."""
    handler = getattr(state, name)
    params = handler_parameters(state, name)
    payloads: list[Any] = [None, [], "x", {"unexpected": 1}]
    if params:
        for value in values:
            payloads.append({p.name: value for p in params})
    else:
        payloads.append({})
    for payload in payloads:
        outcome = tab.send(handler, payload)
        try:
            outcome.not_crashed()
        except AssertionError as error:
            raise AssertionError(f"{state.__name__}.{name} with payload {_short(payload)}: {error}") from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 120 else text[:117] + "..."


# ---------------------------------------------------------------------------------------------
# People: users of each kind with a live session, arranged directly in the database.
# ---------------------------------------------------------------------------------------------

PASSWORD = "kopi-susu-gula-aren-2026"
_PASSWORD_HASH: list[str] = []


def password_hash() -> str:
    from hub_app.services.security import hash_password

    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(hash_password(PASSWORD))
    return _PASSWORD_HASH[0]


@dataclasses.dataclass
class Person:
    id: int
    email: str
    name: str
    role: str
    status: str
    token: str  # the session cookie value ("" for no session)


def make_person(engine, *, email: str, name: str, role: str = "member", status: str = "active",
                verified: bool = True, signed_in: bool = True, locale: str = "id") -> Person:
    """A user with a live session (the cookie token is in Person.token)."""
    from datetime import timedelta

    from sqlmodel import Session

    from hub_app.models import User, UserSession
    from hub_app.models.base import utcnow
    from hub_app.services.security import hash_token, new_token

    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        user = User(email=email, email_normalized=email.lower(), name=name, password_hash=password_hash(),
                    role=role, status=status, email_verified_at=now if verified else None, locale=locale,
                    consent_at=now, consent_version="2026-11", business_name=f"{name} Usaha")
        session.add(user)
        session.flush()
        token = ""
        if signed_in:
            token = new_token()
            session.add(UserSession(user_id=user.id, token_hash=hash_token(token),
                                    expires_at=now + timedelta(days=14)))
        session.commit()
        return Person(id=user.id, email=email, name=name, role=role, status=status, token=token)


@dataclasses.dataclass
class People:
    """One of each kind of user; `visitor` is None (no session cookie)."""

    engine: Any
    pending: Person
    active: Person
    other: Person  # a second active member, the victim in IDOR tests
    staff: Person
    admin: Person
    suspended: Person
    rejected: Person
    visitor: None = None

    def by_role(self) -> dict[str, Person | None]:
        """The actors every handler is tried as."""
        return {"visitor": None, "pending": self.pending, "active": self.active, "staff": self.staff,
                "admin": self.admin}

    def add(self, **kwargs) -> Person:
        return make_person(self.engine, **kwargs)


def arrange_people(engine) -> People:
    return People(
        engine=engine,
        pending=make_person(engine, email="pending@test.example", name="Putri Pending", status="pending"),
        active=make_person(engine, email="active@test.example", name="Agus Aktif"),
        other=make_person(engine, email="other@test.example", name="Lain Orang"),
        staff=make_person(engine, email="staff@test.example", name="Siti Staf", role="staff"),
        admin=make_person(engine, email="admin@test.example", name="Adi Admin", role="admin"),
        suspended=make_person(engine, email="suspended@test.example", name="Susi Suspend", status="suspended"),
        rejected=make_person(engine, email="rejected@test.example", name="Reza Reject", status="rejected"),
    )


def rows(engine, model, *where) -> list[Any]:
    """The rows of `model` that match `where`, oldest first (by primary key)."""
    from sqlmodel import Session, select

    with Session(engine) as session:
        return list(session.exec(select(model).where(*where).order_by(*model.__table__.primary_key)).all())


def db_fingerprint(engine, tables: Iterable[str] | None = None) -> dict[str, list[tuple]]:
    """The rows of the given tables (all tables by default), to compare before and after."""
    from sqlalchemy import text

    from hub_app.models import metadata

    names = list(tables) if tables is not None else [t.name for t in metadata.sorted_tables]
    with engine.connect() as connection:
        return {name: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {name} ORDER BY 1"))]
                for name in names}


# ---------------------------------------------------------------------------------------------
# Reading what happened.
# ---------------------------------------------------------------------------------------------


def outbox(engine, to: str | None = None) -> list[Any]:
    """Emails waiting in the outbox (oldest first), optionally only those to one address."""
    from sqlmodel import Session, col, select

    from hub_app.models import EmailOutbox

    with Session(engine) as session:
        query = select(EmailOutbox).order_by(col(EmailOutbox.id))
        if to is not None:
            query = query.where(EmailOutbox.to_address == to)
        return list(session.exec(query).all())


def link_in_outbox(engine, to: str, path: str) -> str:
    """The path (e.g. '/verify/abc…') of the newest emailed link to `to` that starts with `path`."""
    import re

    for email in reversed(outbox(engine, to)):
        match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S*)", email.body_text)
        if match:
            return match.group(1)
    raise AssertionError(f"no email to {to} with a link to {path}")


def user_row(engine, email: str) -> Any:
    from sqlmodel import Session, select

    from hub_app.models import User

    with Session(engine) as session:
        return session.exec(select(User).where(User.email_normalized == email.lower())).first()


def count_rows(engine, table: str) -> int:
    from sqlalchemy import text

    with engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def add_session(engine, person: Person) -> str:
    """Another live session (another device) for the person; returns its cookie token."""
    from datetime import timedelta

    from sqlmodel import Session

    from hub_app.models import UserSession
    from hub_app.models.base import utcnow
    from hub_app.services.security import hash_token, new_token

    token = new_token()
    with Session(engine) as session:
        session.add(UserSession(user_id=person.id, token_hash=hash_token(token),
                                expires_at=utcnow() + timedelta(days=14)))
        session.commit()
    return token
