"""Form pieces with visible labels, so people and tests find fields by their label.

A required field is marked twice: a visible "*" after its label (hub.css, for every required
control; explained by required_note()) and aria-required on the control. After a failed submit the
first invalid field gets the focus, which scrolls it into view below the sticky header (hub.css:
scroll-margin-top); the browser does this for its own checks, focus_field() for the server's.
"""

import json

import reflex as rx

from hub_app.state.i18n import t


def _label(label_key: str, field_id: str, required: bool) -> rx.Component:
    # The "*" comes from hub.css (label::after of a required control), so the label's text stays the
    # field's name for people and tests, and screen readers hear "required" from the control.
    return rx.el.label(t(label_key), html_for=field_id)


def _required_props(required: bool) -> dict:
    return {"required": True, "aria_required": "true"} if required else {}


def required_note() -> rx.Component:
    """"Fields marked * are required", once per form that has any."""
    return rx.el.p(t("a11y.required_note"), class_name="muted small required-note")


def focus_field(field: str):
    """Focuses the form control of a field the server refused (ids are f-<name>, as field() makes them)."""
    return rx.call_script(f"document.getElementById({json.dumps('f-' + field)})?.focus()")


def field(label_key: str, name: str, *, type: str = "text", required: bool = False, hint_key: str = "",
          autocomplete: str = "", max_length: int | None = None, default_value=None, **props) -> rx.Component:
    field_id = f"f-{name}"
    return rx.el.div(
        _label(label_key, field_id, required),
        rx.el.input(id=field_id, name=name, type=type, auto_complete=autocomplete or None,
                    max_length=max_length, default_value=default_value,
                    aria_describedby=f"{field_id}-hint" if hint_key else None, **_required_props(required), **props),
        rx.el.small(t(hint_key), id=f"{field_id}-hint", class_name="hint") if hint_key else rx.fragment(),
        class_name="field",
    )


def textarea(label_key: str, name: str, *, max_length: int, rows: int = 3, default_value=None,
             required: bool = False) -> rx.Component:
    field_id = f"f-{name}"
    return rx.el.div(
        _label(label_key, field_id, required),
        rx.el.textarea(id=field_id, name=name, max_length=max_length, rows=rows, default_value=default_value,
                       **_required_props(required)),
        class_name="field",
    )


def select(label_key: str, name: str, options: list[tuple[str, str]], *, default_value=None,
           empty_key: str = "field.choose", required: bool = False, **props) -> rx.Component:
    """options: (value, catalogue key) pairs."""
    field_id = f"f-{name}"
    return rx.el.div(
        _label(label_key, field_id, required),
        rx.el.select(
            rx.el.option(t(empty_key), value=""),
            *[rx.el.option(t(key), value=value) for value, key in options],
            id=field_id, name=name, default_value=default_value, **_required_props(required), **props,
        ),
        class_name="field",
    )


def checkbox(label_key: str, name: str, *, required: bool = False, default_checked=None,
             hint: rx.Component | None = None) -> rx.Component:
    """A checkbox with its label; `hint` goes below it (e.g. links to read before agreeing)."""
    field_id = f"f-{name}"
    return rx.el.div(
        rx.el.input(id=field_id, name=name, type="checkbox", default_checked=default_checked,
                    aria_describedby=f"{field_id}-hint" if hint is not None else None, **_required_props(required)),
        rx.el.div(_label(label_key, field_id, required),
                  rx.el.small(hint, id=f"{field_id}-hint", class_name="hint") if hint is not None else rx.fragment(),
                  class_name="check-text"),
        class_name="check",
    )


def message(text: rx.Var, *, kind: str = "error") -> rx.Component:
    """A form's outcome; announced to screen readers."""
    return rx.cond(text != "", rx.el.p(text, class_name=f"message {kind}",
                                       role="alert" if kind == "error" else "status"))


def submit(label_key: str, *, busy: rx.Var | bool = False) -> rx.Component:
    return rx.el.button(rx.cond(busy, t("common.loading"), t(label_key)), type="submit", class_name="button",
                        disabled=busy)
