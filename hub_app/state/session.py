"""Who is signed in, and in which language. Every page State inherits from SessionState.

The session token lives in an HttpOnly cookie that page scripts cannot read; Reflex hands the
cookie header of the socket's opening request to the server only. The actor is looked up again
for every event, so a sign-out elsewhere or a suspension takes effect at once. A page load is one
event (`page_load`): the shell's lookup serves the page's own services too.

A tab's state lives on the server under the tab's token. When the person behind the tab changes
(sign-in, sign-out, account deletion, a cookie that now says someone else) every page state of the
tab is reset, and sign-in and sign-out also give the tab a new token: the next person at a shared
computer, or someone holding the old token, finds nothing of the previous member's.
"""

import asyncio
import functools
import inspect
import json
from contextvars import ContextVar
from urllib.parse import quote

import reflex as rx
from reflex_components_sonner.toast import toast

from hub_app import stored_tab_states
from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.db import is_read_only
from hub_app.domain.errors import HubError, Unavailable
from hub_app.domain.legal import OPEN_WITHOUT_AGREEMENT
from hub_app.domain.permissions import Actor
from hub_app.i18n import CATALOGUE, LOCALES, normalize_locale, translate
from hub_app.services import accounts, profiles, sign_in_sessions
from hub_app.state.services import call, call_reading

YEAR = 365 * 24 * 3600
# Reloads the page after a language switch, so that text formatted on the server (dates, names of
# things) follows; a ?lang= in the address would choose the old language again, so it goes.
RELOAD_IN_CHOSEN_LANGUAGE = (
    "(() => {const url = new URL(window.location.href);"
    " if (url.searchParams.has('lang')) {url.searchParams.delete('lang'); window.location.replace(url.href);}"
    " else {window.location.reload();}})()"
)


SHELL_RETRIES, SHELL_RETRY_SECONDS = 30, 2.0
# `_run`'s default: look the actor up (with the service, in one session). A handler that makes
# several calls looks the actor up once and passes it to the others.
LOOK_UP = object()
# Who the page load's shell found signed in, for the page's own services in the same event (see
# page_load); unset in every other event, which looks the actor up itself.
_shell_actor: ContextVar[tuple[str, Actor | None] | None] = ContextVar("hub_shell_actor", default=None)


def _outage_notice(message: str):
    """The translated "try again" notice, as hub_app/transport.py shows an uncaught refusal."""
    return toast.error(message, id="outage.database", duration=15_000, position="top-center")


def form_data(payload: object) -> dict:
    """A form payload from the browser, which may be anything: a dict of it, or empty."""
    return payload if isinstance(payload, dict) else {}


class SessionState(rx.State):
    lang: str = rx.Cookie("id", name="hub_lang", max_age=YEAR, same_site="lax")
    signed_in: bool = False
    user_id: int = 0
    user_name: str = ""
    user_role: str = ""
    membership: str = ""
    membership_reason: str = ""
    unread: int = 0
    menu_open: bool = False
    # Whose data this tab's states hold (0: nobody's); compared with the cookie's actor on page loads.
    _tab_owner: int = 0

    @rx.var
    def is_en(self) -> bool:
        return self.lang == "en"

    @rx.var
    def is_staff(self) -> bool:
        return self.user_role in ("staff", "admin")

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    def _token(self) -> str:
        return token_from_cookie_header(self.router.headers.cookie)

    async def _actor(self) -> Actor | None:
        token = self._token()
        if not token:
            return None  # a visitor: no database round trip
        known = _shell_actor.get()
        actor = known[1] if known is not None and known[0] == token else await call_reading(_actor_for_token, token)
        return _in_language(actor, self.lang)

    async def _run(self, service, actor: "Actor | None | object" = LOOK_UP, **kwargs):
        """Runs `service(actor, session=…, **kwargs)` for this tab's actor: the actor lookup and the
        service share one database session and one trip to a worker thread; an `actor` this event
        has looked up already is used as it is. Returns (result, "") or (None, the refusal's
        translated message)."""
        token = self._token()
        known = _shell_actor.get()
        if actor is LOOK_UP and known is not None and known[0] == token:
            actor = known[1]
        run = call_reading if is_read_only(service) else call
        try:
            if actor is LOOK_UP:
                return await run(_as_actor, service, token, self.lang, kwargs), ""
            return await run(_as_known_actor, service, actor, self.lang, kwargs), ""
        except HubError as error:
            return None, self._error_text(error)

    def _route_args(self) -> dict:
        """The dynamic segments of this page's route ([token] in /verify/[token]), as Reflex's own
        route-arg vars read them (router.page is deprecated)."""
        return self.rx_router_page.params

    def _t(self, key: str, **params) -> str:
        return translate(key, normalize_locale(self.lang), **params)

    def _error_text(self, error: HubError) -> str:
        """The translated message, prefixed with the field's label when the error names one."""
        message = self._t(error.key, **error.params)
        label_key = f"field.{error.field}"
        return f"{self._t(label_key)}: {message}" if error.field and label_key in CATALOGUE else message

    async def _refresh_shell(self, actor: Actor | None) -> None:
        self._show_summary(await call(sign_in_sessions.session_summary, actor) if actor is not None else None)

    async def _shell(self, token: str, requested: str):
        """Who is signed in and what the shell shows, in one statement (a reading session); a ?lang=
        choice is stored on the account. Returns (actor or None, SessionSummary or None)."""
        actor, summary = await call_reading(sign_in_sessions.shell_for_token, token=token)
        if actor is not None and requested and actor.locale != requested:
            await call(profiles.set_locale, actor, locale=requested)
        return actor, summary

    def _show_summary(self, summary: sign_in_sessions.SessionSummary | None) -> None:
        self.signed_in = summary is not None
        self.user_id = summary.user_id if summary else 0
        self.user_name = summary.name if summary else ""
        self.user_role = summary.role if summary else ""
        self.membership = summary.status if summary else ""
        self.membership_reason = summary.status_reason if summary else ""
        self.unread = summary.unread if summary else 0

    async def _clear_tab(self) -> None:
        """Resets every page state of this tab (all of them: SessionState is their common parent),
        keeping only the language. An event loads only its own state's part of the tree, so the
        page states stored for the tab are loaded first: a reset reaches the states that are there
        (hub_app/stored_tab_states.py)."""
        root = await self.get_state(SessionState)
        lang = root.lang
        page_states = all_page_states()
        stored = await stored_tab_states.stored_states(self.router.session.client_token, page_states)
        for page_state in page_states if stored is None else stored:
            await self.get_state(page_state)
        stored_tab_states.reset_tree(root, stored)
        root.lang = lang

    async def _leave(self, next_path: str):
        """Signs this browser out (the cookie is cleared by a POST from this page) with a fresh tab."""
        await self._clear_tab()
        return auth_post("/api/auth/sign-out", {"next": next_path})

    async def _load_shell(self):
        """The shell's part of every page load: language from ?lang= or the account, and the nav bar.
        Returns (the actor found, events that end the page load here or None)."""
        self.menu_open = False
        requested = self.router.url.query_parameters.get("lang")
        requested = requested if requested in LOCALES else ""
        token = self._token()
        # One trip to a worker thread (none for a visitor): this runs on every page load.
        try:
            actor, summary = await self._shell(token, requested) if token else (None, None)
        except Unavailable as outage:
            if self.signed_in:
                raise  # the shell on screen is still right; the member is asked to try again
            # A member's tab whose state was lost (Redis restarted) while the database is down would
            # show nobody signed in until the next page: it looks again until the database is back.
            return None, [_outage_notice(self._t(outage.key)), ShellState.shell_when_back(requested)]
        return actor, await self._apply_shell(actor, summary, requested)

    async def _apply_shell(self, actor: Actor | None, summary, requested: str):
        owner = actor.user_id if actor is not None else 0
        if owner != self._tab_owner:
            await self._clear_tab()
            self._tab_owner = owner
        if requested:
            self.lang = requested
        elif actor is not None:
            self.lang = actor.locale
        elif self.lang not in LOCALES:
            self.lang = "id"
        self._show_summary(summary)
        if summary is not None and summary.must_agree:
            return self._ask_for_agreement()
        return None

    def _ask_for_agreement(self):
        """A member who has not agreed to the current terms and privacy notice goes to /agree first
        (and comes back here after agreeing); those pages, and the profile, stay open."""
        path = self.router.url.path.rstrip("/") or "/"
        if path in OPEN_WITHOUT_AGREEMENT:
            return None
        query = self.router.url.query
        return rx.redirect("/agree?next=" + quote(path + ("?" + query if query else ""), safe=""))

    async def _hand_over(self, ticket: str, next_path: str):
        """Turns a sign-in ticket into the session cookie: the ticket is bound to this tab, and this
        page posts it to /api/auth/session, so the cookie is set by an HTTP response that page
        scripts cannot read, and no other site or tab can redeem the ticket."""
        await call(_bind_ticket, ticket, self.router.session.client_token)
        await self._clear_tab()
        return auth_post("/api/auth/session", {"ticket": ticket, "next": next_path}, with_tab=True)



class ShellState(SessionState):
    """The shell's own events: the on_load of pages without data, the menu, the language, signing out.
    A leaf of SessionState on purpose: for an event Reflex reads its state's whole subtree from
    Redis, and SessionState is the parent of every page state, so these events on SessionState
    itself would read and unpickle all of the tab's page states (48 kinds) on every page load."""

    # A shell_when_back loop is running for this tab (one at a time, however often it is sent).
    _shell_retrying: bool = False

    @rx.event
    async def load_shell(self):
        """The on_load of a page without data of its own (pages with their own use page_load)."""
        _actor, stop = await self._load_shell()
        return stop

    @rx.event(background=True)
    async def shell_when_back(self, requested: str = ""):
        """Looks up the shell every SHELL_RETRY_SECONDS until the database answers (at most
        SHELL_RETRIES times), once per tab, then shows who is signed in."""
        requested = requested if isinstance(requested, str) and requested in LOCALES else ""
        async with self:
            token = self._token()
            if self._shell_retrying or self.signed_in or not token:
                return
            self._shell_retrying = True
        try:
            for _ in range(SHELL_RETRIES):
                await asyncio.sleep(SHELL_RETRY_SECONDS)
                try:
                    actor, summary = await self._shell(token, requested)
                except Unavailable:
                    continue
                async with self:
                    return await self._apply_shell(actor, summary, requested)
        finally:
            async with self:
                self._shell_retrying = False

    @rx.event
    async def switch_language(self, locale: str):
        if locale not in LOCALES:
            return
        self.lang = locale
        token = self._token()
        if token:
            await call(_set_locale_for_token, token, locale)
        return rx.call_script(RELOAD_IN_CHOSEN_LANGUAGE)

    @rx.event
    def toggle_menu(self):
        self.menu_open = not self.menu_open

    @rx.event
    async def sign_out(self):
        token = self._token()
        if token:
            await call(_sign_out, token)
        return await self._leave("/")


def page_load(handler):
    """Makes a page state's handler its page's on_load, with the shell's part first (who is signed
    in, the language, the nav bar): one event and one actor lookup per page load instead of two of
    each. The page's services in this event are run for the actor the shell found (the page load
    is one event, as a tap is). The shell's redirect or outage notice ends the page load there."""

    @functools.wraps(handler)
    async def load(self: SessionState):
        actor, stop = await self._load_shell()
        if stop is not None:
            return stop
        known = _shell_actor.set((self._token(), actor))
        try:
            result = handler(self)
            return await result if inspect.isawaitable(result) else result
        finally:
            _shell_actor.reset(known)

    return load


def all_page_states() -> list[type[SessionState]]:
    """Every state under SessionState (the pages' states and ShellState)."""
    found, pending = [], list(SessionState.get_substates())
    while pending:
        state = pending.pop()
        found.append(state)
        pending.extend(state.get_substates())
    return found


def _in_language(actor: Actor | None, lang: str) -> Actor | None:
    """The language on screen is the one the member chose last."""
    if actor is not None and actor.locale != lang and lang in LOCALES:
        return Actor(actor.user_id, actor.role, actor.status, actor.name, normalize_locale(lang))
    return actor


def _as_actor(service, token: str, lang: str, kwargs: dict, *, session):
    actor = sign_in_sessions.actor_for_token(session=session, token=token) if token else None
    return service(_in_language(actor, lang), session=session, **kwargs)


def _as_known_actor(service, actor: Actor | None, lang: str, kwargs: dict, *, session):
    return service(_in_language(actor, lang), session=session, **kwargs)


def _actor_for_token(token: str, *, session) -> Actor | None:
    return sign_in_sessions.actor_for_token(session=session, token=token)


def _set_locale_for_token(token: str, locale: str, *, session) -> None:
    actor = sign_in_sessions.actor_for_token(session=session, token=token)
    if actor is not None:
        session.rollback()  # end the read so that set_locale starts its own write transaction
        profiles.set_locale(actor, session=session, locale=locale)


def _sign_out(token: str, *, session) -> None:
    sign_in_sessions.sign_out(session=session, token=token)


def _bind_ticket(ticket: str, tab: str, *, session) -> None:
    accounts.bind_ticket(session=session, ticket=ticket, tab=tab)


def auth_post(path: str, fields: dict[str, str], *, with_tab: bool = False):
    """Posts a small form to an /api/auth route from this page (the route checks that it came from the
    portal), after dropping this tab's token so that the page it lands on starts a fresh tab state.
    with_tab sends the old tab token along, to which a sign-in ticket is bound."""
    return rx.call_script(
        "(() => {const form = document.createElement('form'); form.method = 'POST';"
        f" form.action = {json.dumps(path)}; const fields = {json.dumps(fields)};"
        + (" fields.tab = window.sessionStorage.getItem('token') || '';" if with_tab else "")
        + " window.sessionStorage.removeItem('token');"
        " for (const [name, value] of Object.entries(fields)) {const input = document.createElement('input');"
        " input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);}"
        " document.body.appendChild(form); form.submit();})()"
    )


def go_to(path: str):
    """A full page navigation (for HTTP routes such as the cookie exchange), not a client-side one."""
    return rx.call_script(f"window.location.assign({json.dumps(path)})")
