"""/trainings: the programme's catalogue, for visitors and members, with filters and search."""

import reflex as rx

from hub_app.components.shell import shell
from hub_app.components.trainings import options, training_card
from hub_app.domain.errors import HubError
from hub_app.domain.trainings import FORMATS, LANGUAGES, LEVELS, TOPICS
from hub_app.services import trainings
from hub_app.services.trainings import TrainingCard
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load

FILTER_KEYS = ("query", "topic", "level", "language", "format", "date_from", "date_to", "seats_only")


def _select(label_key: str, name: str, choices: list[tuple[str, str]]) -> rx.Component:
    field_id = f"tf-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.select(rx.el.option(t("common.all"), value=""),
                     *[rx.el.option(t(key), value=value) for value, key in choices],
                     id=field_id, name=name, default_value=TrainingsState.filters[name]),
        class_name="field",
    )


class TrainingsState(SessionState):
    cards: list[TrainingCard] = []
    filters: dict[str, str] = {key: "" for key in FILTER_KEYS}
    cursor: str = ""
    next_cursor: str = ""
    previous_cursors: list[str] = []
    version: int = 0  # re-mounts the filter form with the current values
    error: str = ""

    @rx.var
    def filtering(self) -> bool:
        """Whether a filter other than the text search is set (the filter panel then shows open)."""
        return any(value for key, value in self.filters.items() if key != "query")

    async def _reload(self) -> None:
        try:
            page = await call(trainings.catalogue, await self._actor(), filters=dict(self.filters),
                              cursor=self.cursor, locale=self.lang)
        except HubError as error:
            self.cards, self.next_cursor = [], ""
            self.error = self._error_text(error)
            return
        self.error = ""
        self.cards, self.next_cursor = page.cards, page.next_cursor

    @rx.event
    @page_load
    async def load(self):
        """Filters may come in the link (/trainings?topic=finance)."""
        params = self.router.url.query_parameters
        self.filters = {key: str(params.get(key, ""))[:100] for key in FILTER_KEYS}
        self.cursor, self.previous_cursors = "", []
        self.version += 1
        await self._reload()

    @rx.event
    async def search(self, form: dict):
        data = form_data(form)
        self.filters = {key: str(data.get(key, ""))[:100] if data.get(key) is not None else "" for key in FILTER_KEYS}
        self.filters["seats_only"] = "on" if data.get("seats_only") in ("on", True, "true") else ""
        self.cursor, self.previous_cursors = "", []
        await self._reload()

    @rx.event
    async def clear(self):
        self.filters = {key: "" for key in FILTER_KEYS}
        self.cursor, self.previous_cursors = "", []
        self.version += 1
        await self._reload()

    @rx.event
    async def next_page(self):
        if not self.next_cursor:
            return
        self.previous_cursors = [*self.previous_cursors[-50:], self.cursor]
        self.cursor = self.next_cursor
        await self._reload()

    @rx.event
    async def previous_page(self):
        if not self.previous_cursors:
            return
        self.cursor = self.previous_cursors[-1]
        self.previous_cursors = self.previous_cursors[:-1]
        await self._reload()


def _filters() -> rx.Component:
    f = TrainingsState.filters
    return rx.el.form(
        rx.el.div(
            rx.el.div(
                rx.el.label(t("trainings.search_label"), html_for="tf-query"),
                rx.el.input(id="tf-query", name="query", type="search", max_length=100, default_value=f["query"],
                            placeholder=t("trainings.search_placeholder")),
                class_name="field grow",
            ),
            rx.el.button(rx.icon("search", size=18, aria_hidden="true"), t("common.search"), type="submit",
                         class_name="button"),
            class_name="search-row",
        ),
        rx.el.details(
            rx.el.summary(rx.icon("sliders-horizontal", size=16, aria_hidden="true"), t("trainings.filters"),
                          class_name="filters-summary"),
            rx.el.div(
                _select("trainings.field.topic", "topic", options("trainings.topic", TOPICS)),
                _select("trainings.field.level", "level", options("trainings.level", LEVELS)),
                _select("trainings.field.language", "language", options("trainings.language", LANGUAGES)),
                _select("trainings.field.format", "format", options("trainings.format", FORMATS)),
                rx.el.div(rx.el.label(t("trainings.field.date_from"), html_for="tf-date_from"),
                          rx.el.input(id="tf-date_from", name="date_from", type="date", default_value=f["date_from"]),
                          class_name="field"),
                rx.el.div(rx.el.label(t("trainings.field.date_to"), html_for="tf-date_to"),
                          rx.el.input(id="tf-date_to", name="date_to", type="date", default_value=f["date_to"]),
                          class_name="field"),
                rx.el.div(rx.el.input(id="tf-seats_only", name="seats_only", type="checkbox",
                                      default_checked=f["seats_only"] == "on"),
                          rx.el.label(t("trainings.field.seats_only"), html_for="tf-seats_only"),
                          class_name="check"),
                class_name="filter-grid",
            ),
            rx.el.div(
                rx.el.button(t("trainings.apply_filters"), type="submit", class_name="button"),
                rx.el.button(t("trainings.clear_filters"), type="button", on_click=TrainingsState.clear,
                             class_name="button ghost"),
                class_name="actions",
            ),
            class_name="filter-panel", open=TrainingsState.filtering,
        ),
        on_submit=TrainingsState.search, reset_on_submit=False, key=TrainingsState.version,
        class_name="card training-filters",
        role="search",
    )


@rx.page(route="/trainings", title=page_title("title.trainings"),
         on_load=TrainingsState.load)
def trainings_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("trainings.title")),
            rx.el.p(t("trainings.lead"), class_name="muted"),
            rx.cond(SessionState.signed_in,
                    rx.el.p(rx.el.a(t("trainings.mine_link"), href="/trainings/mine"))),
            class_name="page-head",
        ),
        _filters(),
        rx.cond(TrainingsState.error != "",
                rx.el.p(TrainingsState.error, class_name="message error", role="alert")),
        rx.cond(
            TrainingsState.cards.length() > 0,
            rx.el.ul(rx.foreach(TrainingsState.cards, training_card), class_name="training-grid",
                     aria_live="polite"),
            rx.el.p(t("trainings.none_found"), class_name="muted", role="status"),
        ),
        rx.el.div(
            rx.cond(TrainingsState.previous_cursors.length() > 0,
                    rx.el.button(t("trainings.previous_page"), on_click=TrainingsState.previous_page,
                                 class_name="button ghost")),
            rx.cond(TrainingsState.next_cursor != "",
                    rx.el.button(t("common.next_page"), on_click=TrainingsState.next_page, class_name="button ghost")),
            class_name="actions",
        ),
    )
