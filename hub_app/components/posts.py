"""Stateless pieces of the forum and the member directory: thread rows, a post's body, highlighted
search snippets, member cards. Everything a member wrote is shown as text (React escapes it),
except a post's body, which is HTML sanitised on the server (see post_body)."""

import reflex as rx

from hub_app.services.forum import ThreadRow
from hub_app.services.members import MemberCard
from hub_app.state.i18n import t, tp


def post_body(sanitized_html: rx.Var) -> rx.Component:
    """A post's body. `sanitized_html` MUST be PostView.body_html: Markdown rendered without raw HTML
    and cleaned by nh3 on the server when stored and again when read (hub_app.domain.markdown).
    Nothing else may ever be passed here: rx.html sets the div's dangerouslySetInnerHTML."""
    return rx.html(sanitized_html, class_name="post-body")


def author_link(author_id: rx.Var, author_name: rx.Var) -> rx.Component:
    return rx.el.a(author_name, href="/members/" + author_id.to_string(), class_name="author")


def thread_row(row: ThreadRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.a(row.title, href="/forum/t/" + row.id.to_string(), class_name="thread-title"),
            rx.el.span(
                rx.cond(row.pinned, rx.el.span(rx.icon("pin", size=14, aria_hidden="true"), t("forum.pinned"),
                                               class_name="pill ok")),
                rx.cond(row.locked, rx.el.span(rx.icon("lock", size=14, aria_hidden="true"), t("forum.locked"),
                                               class_name="pill warn")),
                class_name="thread-flags",
            ),
            class_name="row",
        ),
        rx.el.small(
            t("forum.by"), " ", row.author_name, " · ", tp("count.replies", row.reply_count), " · ",
            t("forum.last_activity"), " ", row.last_activity, class_name="muted",
        ),
        class_name="thread-row", data_testid="thread-row",
    )


def snippet(parts: rx.Var) -> rx.Component:
    """Highlighted search text, built from (text, hit) parts: member text is never markup."""
    return rx.foreach(parts, lambda part: rx.cond(part.hit, rx.el.mark(part.text), rx.el.span(part.text)))


def member_card(card: MemberCard, *, suggestion: bool = False) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.cond(card.avatar_url != "",
                    rx.el.img(src=card.avatar_url, alt="", class_name="avatar small", width="48", height="48"),
                    rx.el.span(rx.icon("user", size=24, aria_hidden="true"), class_name="avatar small placeholder")),
            rx.el.div(
                rx.el.a(card.name, href="/members/" + card.id.to_string(), class_name="member-name"),
                rx.el.small(" @", card.handle, class_name="muted"),
                rx.cond(card.business_name != "", rx.el.div(card.business_name, class_name="muted")),
                rx.el.div(
                    rx.cond(card.sector != "", rx.el.span(card.sector, class_name="pill")),
                    rx.cond(card.stage != "", rx.el.span(card.stage, class_name="pill")),
                    class_name="pills",
                ),
            ),
            class_name="member-head",
        ),
        rx.cond(card.offers != "", rx.el.p(rx.el.strong(t("members.offers"), ": "), card.offers, class_name="clip")),
        rx.cond(card.looking_for != "",
                rx.el.p(rx.el.strong(t("members.looking_for"), ": "), card.looking_for, class_name="clip")),
        rx.cond(card.matched != "", rx.el.p(t("members.matched"), " ", rx.el.mark(card.matched), class_name="muted"))
        if suggestion else rx.fragment(),
        class_name="member-card", data_testid="member-suggestion" if suggestion else "member-card",
    )
