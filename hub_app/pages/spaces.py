"""/spaces: every space with photo, capacity and amenities, filterable by kind, capacity, amenity.
/spaces/<id>: one space, its rules, and its week calendar (an agenda on a phone)."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain.bookings import AMENITIES
from hub_app.domain.errors import HubError
from hub_app.pages.book import CalendarState, calendar_block, kind_options
from hub_app.services import spaces
from hub_app.services.spaces import SpaceCard
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load


class SpacesState(SessionState):
    rows: list[SpaceCard] = []
    kind: str = ""
    min_capacity: str = ""
    amenity: str = ""
    error: str = ""

    async def _reload(self) -> None:
        try:
            self.rows = await call(spaces.list_spaces, await self._actor(), kind=self.kind,
                                   min_capacity=self.min_capacity, amenity=self.amenity, locale=self.lang)
            self.error = ""
        except HubError as error:
            self.rows, self.error = [], self._error_text(error)

    @rx.event
    @page_load
    async def load(self):
        params = self.router.url.query_parameters
        self.kind = str(params.get("kind", ""))[:20]
        self.amenity = str(params.get("amenity", ""))[:20]
        self.min_capacity = str(params.get("capacity", ""))[:5]
        await self._reload()

    @rx.event
    async def filter(self, form: dict):
        data = form_data(form)
        self.kind = str(data.get("kind", ""))[:20]
        self.amenity = str(data.get("amenity", ""))[:20]
        self.min_capacity = str(data.get("capacity", ""))[:5]
        await self._reload()


_EMPTY = SpaceCard(id=0, kind="", name="", description="", capacity=0, amenities=[], photo="", photos=[],
                   location="", needs_approval=False, requires_training=False, active=False, slot_minutes=30,
                   min_minutes=30, max_minutes=30, advance_days=0)


class SpaceDetailState(SessionState):
    space: SpaceCard = _EMPTY
    missing: bool = False

    @rx.event
    @page_load
    async def load(self):
        segment = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            self.space = await call(spaces.get_space, await self._actor(), space_id=segment, locale=self.lang)
            self.missing = False
        except HubError:
            self.space, self.missing = _EMPTY, True


def kind_label(kind) -> rx.Component:
    return rx.match(kind, *[(value, t(key)) for value, key in kind_options()], kind)


def amenity_list(amenities) -> rx.Component:
    return rx.el.ul(rx.foreach(amenities, lambda a: rx.el.li(
        rx.match(a, *[(name, t(f"amenity.{name}")) for name in AMENITIES], a), class_name="pill")),
        class_name="amenities")


def _card(space: SpaceCard) -> rx.Component:
    return rx.el.article(
        rx.cond(space.photo != "", rx.el.img(src=space.photo, alt=space.name, loading="lazy", width="640",
                                             height="360"),
                rx.el.div(rx.match(space.kind, ("desk_area", rx.icon("laptop", size=40)),
                                   ("event_hall", rx.icon("presentation", size=40)),
                                   ("communal_room", rx.icon("coffee", size=40)), rx.icon("users", size=40)),
                          class_name="space-photo-placeholder", aria_hidden="true")),
        rx.el.div(
            rx.el.h2(rx.el.a(space.name, href="/spaces/" + space.id.to_string()), class_name="card-title"),
            rx.el.small(kind_label(space.kind), " · ",
                        rx.cond(space.kind == "desk_area", t("booking.seats"), t("field.capacity")), ": ",
                        space.capacity, class_name="muted"),
            amenity_list(space.amenities),
            rx.cond(space.needs_approval, rx.el.small(t("field.needs_approval"), class_name="pill warn")),
            rx.el.a(t("spaces.see_calendar"), href="/spaces/" + space.id.to_string(), class_name="button small"),
            class_name="body",
        ),
        class_name="space-card", data_testid="space-card",
    )


@rx.page(route="/spaces", title=page_title("title.spaces"), on_load=SpacesState.load)
def spaces_page() -> rx.Component:
    return shell(
        rx.el.h1(t("spaces.title")),
        rx.el.p(t("spaces.lead"), class_name="muted"),
        rx.el.form(
            rx.el.div(rx.el.label(t("field.kind"), html_for="f-kind"),
                      rx.el.select(rx.el.option(t("common.all"), value=""),
                                   *[rx.el.option(t(key), value=value) for value, key in kind_options()],
                                   id="f-kind", name="kind"), class_name="field"),
            rx.el.div(rx.el.label(t("spaces.min_capacity"), html_for="f-capacity"),
                      rx.el.input(id="f-capacity", name="capacity", type="number", min=1, max=1000),
                      class_name="field"),
            rx.el.div(rx.el.label(t("field.amenity"), html_for="f-amenity"),
                      rx.el.select(rx.el.option(t("common.all"), value=""),
                                   *[rx.el.option(t(f"amenity.{name}"), value=name) for name in AMENITIES],
                                   id="f-amenity", name="amenity"), class_name="field"),
            rx.el.button(t("spaces.filter"), type="submit", class_name="button"),
            on_submit=SpacesState.filter, reset_on_submit=False, class_name="filters card",
        ),
        message(SpacesState.error),
        rx.el.p(rx.el.a(t("booking.day_title"), " →", href="/book", class_name="button ghost")),
        rx.cond(SpacesState.rows.length() > 0,
                rx.el.div(rx.foreach(SpacesState.rows, _card), class_name="space-cards"),
                rx.el.p(t("spaces.none"), class_name="muted")),
    )


def _detail(space: SpaceCard) -> rx.Component:
    return rx.el.div(
        rx.el.h1(space.name),
        rx.el.p(kind_label(space.kind), " · ", rx.cond(space.kind == "desk_area", t("booking.seats"),
                                                        t("field.capacity")), ": ", space.capacity, " · ",
                space.location, class_name="muted"),
        rx.cond(space.photos.length() > 0,
                rx.el.div(rx.foreach(space.photos, lambda url: rx.el.img(src=url, alt=space.name, loading="lazy",
                                                                          width="480", height="270")),
                          class_name="photos")),
        rx.el.p(space.description),
        amenity_list(space.amenities),
        rx.el.p(t("spaces.rules"), ": ", space.min_minutes, "–", space.max_minutes, " ", t("spaces.minutes"), " · ",
                t("spaces.ahead"), " ", space.advance_days, " ", t("spaces.days"),
                rx.cond(space.needs_approval, rx.fragment(" · ", t("field.needs_approval"))),
                rx.cond(space.requires_training, rx.fragment(" · ", t("spaces.requires_training"))),
                class_name="muted"),
    )


@rx.page(route="/spaces/[space]", title=page_title("title.space"),
         on_load=[SpaceDetailState.load, CalendarState.load_week])
def space_page() -> rx.Component:
    return shell(
        rx.el.p(rx.el.a("← ", t("spaces.title"), href="/spaces")),
        rx.cond(SpaceDetailState.missing, rx.el.p(t("booking.error.no_space"), class_name="message error")),
        rx.cond(SpaceDetailState.space.id > 0, _detail(SpaceDetailState.space)),
        rx.cond(~SpaceDetailState.missing, calendar_block(min_column="6rem")),
    )
