"""The staff's bulk decisions: a checkbox on each row of a queue, and one form above it that
approves or declines the ticked rows with one reason, then lists those that could not be decided.

The checkboxes sit in the rows (which hold their own one-row forms, and forms cannot nest) and
belong to the bulk form through the HTML form attribute, so the browser submits them with it; they
are named pick-<id>. "Select all on this page" ticks them in the browser, without a round trip."""

import json

import reflex as rx

from hub_app.state.i18n import t, tf


def chosen_ids(data: dict) -> list[str]:
    """The ids ticked in a bulk form. At most one more than the service takes, so that an oversized
    choice is refused there, not silently cut."""
    return [key[5:] for key, value in list(data.items())[:1000]
            if isinstance(key, str) and key.startswith("pick-") and value not in (None, "", False, "off")][:101]


def pick_box(form_id: str, row_id: rx.Var, name: rx.Var) -> rx.Component:
    return rx.el.input(type="checkbox", name="pick-" + row_id.to_string(), form=form_id,
                       aria_label=tf("queues.choose", name=name), class_name="pick", data_testid="pick")


def _select_all(form_id: str) -> rx.Component:
    # No id or name: the form would submit it (Reflex reads a form's controls by id).
    script = (f"(() => {{const on = document.querySelector({json.dumps(f'[data-select-all={form_id}]')}).checked;"
              f" document.querySelectorAll({json.dumps(f'input.pick[form={form_id}]')})"
              ".forEach(box => {box.checked = on;});})()")
    return rx.el.label(rx.el.input(type="checkbox", data_select_all=form_id, on_click=rx.call_script(script)),
                       t("queues.select_all"), class_name="check")


def bulk_form(form_id: str, handler, *, approve: str, decline: str, hint_key: str) -> rx.Component:
    """approve / decline: the values of the decision the handler reads ("approve", "reject")."""
    reason_id = f"{form_id}-reason"
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(t("queues.bulk_title")),
            rx.el.p(t(hint_key), class_name="muted small"),
            _select_all(form_id),
            rx.el.div(
                rx.el.label(rx.el.input(type="radio", name="decision", value=approve, default_checked=True),
                            t("staff.approve"), class_name="check"),
                rx.el.label(rx.el.input(type="radio", name="decision", value=decline), t("staff.decline"),
                            class_name="check"),
                class_name="chips", role="radiogroup", aria_label=t("queues.bulk_title")),
            rx.el.div(rx.el.label(t("queues.bulk_reason"), html_for=reason_id),
                      rx.el.input(id=reason_id, name="reason", max_length=500), class_name="field"),
            rx.el.button(t("queues.bulk_submit"), type="submit", class_name="button"),
            class_name="bulk",
        ),
        id=form_id, on_submit=handler, reset_on_submit=True, class_name="card bulk-card",
    )


def refusals(items: rx.Var, resend=None) -> rx.Component:
    """Those that could not be decided, with the reason; an unverified member with "resend"."""
    def item(row) -> rx.Component:
        button = rx.fragment() if resend is None else rx.cond(
            row.waits_for_email, rx.el.button(t("staff.resend"), type="button", class_name="button ghost small",
                                              on_click=resend(row.id.to_string())))
        return rx.el.li(tf("queues.refused_row", name=row.name, reason=row.reason), " ", button,
                        data_testid="bulk-refused")

    return rx.cond(items.length() > 0, rx.el.div(
        rx.el.p(tf("queues.summary.refused", count=items.length())),
        rx.el.ul(rx.foreach(items, item)),
        class_name="notice", role="status"))
