"""Form pieces with visible labels, so people and tests find fields by their label."""

import reflex as rx

from hub_app.state.i18n import t


def field(label_key: str, name: str, *, type: str = "text", required: bool = False, hint_key: str = "",
          autocomplete: str = "", max_length: int | None = None, default_value=None, **props) -> rx.Component:
    field_id = f"f-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.input(id=field_id, name=name, type=type, required=required, auto_complete=autocomplete or None,
                    max_length=max_length, default_value=default_value,
                    aria_describedby=f"{field_id}-hint" if hint_key else None, **props),
        rx.el.small(t(hint_key), id=f"{field_id}-hint", class_name="hint") if hint_key else rx.fragment(),
        class_name="field",
    )


def textarea(label_key: str, name: str, *, max_length: int, rows: int = 3, default_value=None) -> rx.Component:
    field_id = f"f-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.textarea(id=field_id, name=name, max_length=max_length, rows=rows, default_value=default_value),
        class_name="field",
    )


def select(label_key: str, name: str, options: list[tuple[str, str]], *, default_value=None,
           empty_key: str = "field.choose", **props) -> rx.Component:
    """options: (value, catalogue key) pairs."""
    field_id = f"f-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.select(
            rx.el.option(t(empty_key), value=""),
            *[rx.el.option(t(key), value=value) for value, key in options],
            id=field_id, name=name, default_value=default_value, **props,
        ),
        class_name="field",
    )


def checkbox(label_key: str, name: str, *, required: bool = False, default_checked=None) -> rx.Component:
    field_id = f"f-{name}"
    return rx.el.div(
        rx.el.input(id=field_id, name=name, type="checkbox", required=required, default_checked=default_checked),
        rx.el.label(t(label_key), html_for=field_id),
        class_name="check",
    )


def message(text: rx.Var, *, kind: str = "error") -> rx.Component:
    """A form's outcome; announced to screen readers."""
    return rx.cond(text != "", rx.el.p(text, class_name=f"message {kind}",
                                       role="alert" if kind == "error" else "status"))


def submit(label_key: str, *, busy: rx.Var | bool = False) -> rx.Component:
    return rx.el.button(rx.cond(busy, t("common.loading"), t(label_key)), type="submit", class_name="button",
                        disabled=busy)
