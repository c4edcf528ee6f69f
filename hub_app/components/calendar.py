"""The booking calendar: one flat list of cells laid on a CSS grid on a laptop (spaces or days as
columns, time as rows) and shown as an agenda on a phone (a heading per column, its slots as
tappable chips). A date strip picks the day. Stateless: the page passes the vars and events."""

import reflex as rx

from hub_app.state.i18n import t


def _cell(cell, on_pick) -> rx.Component:
    style = {"grid_area": cell.area}
    body = [rx.el.span(cell.time, class_name="cal-time"), rx.el.span(cell.label, class_name="cal-label")]
    return rx.match(
        cell.kind,
        ("head", rx.el.div(rx.el.strong(cell.label), rx.el.small(cell.detail, class_name="muted"),
                           class_name="cal-head", style=style)),
        ("time", rx.el.div(cell.label, class_name="cal-timecol", style=style, aria_hidden="true")),
        ("free", rx.el.button(*body, type="button", on_click=on_pick(cell.space_id, cell.start),
                              class_name="cal-cell free", style=style,
                              custom_attrs={"data-space": cell.space_id, "data-start": cell.start},
                              aria_label=cell.aria + " · " + cell.label)),
        rx.el.div(*body, rx.cond(cell.detail != "", rx.el.small(cell.detail, class_name="cal-detail")),
                  class_name="cal-cell " + cell.kind, style=style,
                  custom_attrs={"data-space": cell.space_id, "data-kind": cell.kind}),
    )


def calendar_grid(cells, columns, rows, on_pick, *, min_column: str = "7.5rem") -> rx.Component:
    return rx.el.div(
        rx.foreach(cells, lambda cell: _cell(cell, on_pick)),
        class_name="cal-grid",
        style={"--cal-columns": columns, "--cal-rows": rows,
               "grid_template_columns": f"3.5rem repeat({columns}, minmax({min_column}, 1fr))"},
        data_testid="calendar",
    )


def date_strip(days, on_select) -> rx.Component:
    return rx.el.nav(
        rx.foreach(days, lambda chip: rx.el.button(
            rx.el.small(chip.weekday), rx.el.strong(chip.number), type="button",
            on_click=on_select(chip.day),
            class_name=rx.cond(chip.selected, "date-chip is-current", "date-chip"),
            aria_pressed=rx.cond(chip.selected, "true", "false"),
            custom_attrs={"data-day": chip.day})),
        class_name="date-strip", aria_label=t("calendar.pick_day"),
    )


def legend() -> rx.Component:
    return rx.el.div(
        rx.el.span(t("calendar.free"), class_name="cal-key free"),
        rx.el.span(t("calendar.busy"), class_name="cal-key busy"),
        rx.el.span(t("calendar.mine"), class_name="cal-key mine"),
        rx.el.span(t("booking.status.pending"), class_name="cal-key pending"),
        rx.el.span(t("calendar.closed"), class_name="cal-key closed"),
        class_name="cal-legend",
    )
