"""What the page shell does not reach, in the chosen language: <html lang>, and Reflex's own
overlay (the connection-error notice) and notification region (sonner's Toaster and its labels).

The prerendered HTML carries Indonesian (html_lang="id"); after hydration these follow
SessionState.lang without a round trip. Both are app wraps (hub_app.hub_app), so every page has them.
"""

import reflex as rx
from reflex.vars import Var, VarData
from reflex_components_core.core.banner import has_hydration_payload_error, has_too_many_connection_errors

from hub_app.state.i18n import t
from hub_app.state.session import SessionState


class DocumentLanguage(rx.Fragment):
    """Renders nothing; keeps document.documentElement.lang equal to the chosen language."""

    def add_hooks(self) -> list[str | Var]:
        lang = SessionState.lang
        return [Var(
            f"useEffect(() => {{ document.documentElement.lang = ({lang}) === 'en' ? 'en' : 'id'; }}, [{lang}])",
            _var_data=VarData.merge(lang._get_all_var_data(), VarData(imports={"react": ["useEffect"]})),
        )]


def _connection_notice() -> rx.Component:
    """Instead of Reflex's English toast ("Cannot connect to server: ...") and icon title: a short
    notice in the chosen language while the event socket is down (it reconnects by itself)."""
    return rx.cond(
        has_too_many_connection_errors,
        rx.el.div(
            rx.icon("wifi-off", size=20, aria_hidden="true"),
            rx.el.span(rx.cond(has_hydration_payload_error, t("a11y.too_much_data"), t("a11y.offline"))),
            class_name="connection-notice", role="alert", title=t("a11y.offline_short"),
        ),
    )


@rx.memo
def hub_overlay() -> rx.Component:
    return rx.fragment(DocumentLanguage.create(), _connection_notice())


def overlay() -> rx.Component:
    """The app wrap that replaces Reflex's default overlay (app_wraps[(5, "Overlay")]); memoised, so
    that its state hooks run inside the StateProvider like Reflex's own overlay's."""
    return rx.fragment(hub_overlay())


def toaster() -> rx.Component:
    """Reflex's toast provider with the region's and the close button's labels translated."""
    return rx.toast.provider(
        close_button=False, expand=True, position="bottom-right", rich_colors=True,
        custom_attrs={"customAriaLabel": t("a11y.notifications_region"),
                      "toastOptions": {"closeButtonAriaLabel": t("a11y.close_notification")}},
    )
