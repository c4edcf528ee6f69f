"""Catalogue strings in components: both languages are compiled in and the browser shows the one
matching SessionState.lang, so switching language needs no round trip."""

import reflex as rx
from reflex.vars import Var

from hub_app.i18n import CATALOGUE, plural_rule_javascript, plural_variants
from hub_app.state.session import SessionState


def t(key: str) -> rx.Var:
    indonesian, english = CATALOGUE[key]
    return rx.cond(SessionState.is_en, english, indonesian)


def tf(key: str, **params) -> rx.Var:
    """A catalogue string with {params} filled from Vars or values."""
    indonesian, english = CATALOGUE[key]
    return rx.cond(SessionState.is_en, english.format(**params), indonesian.format(**params))


def tp(key: str, count: rx.Var | int, **params) -> rx.Var:
    """A counted catalogue string in the plural form that `count` takes in the chosen language
    ("1 thread", "2 threads"): Babel's plural rule of each language, run in the browser."""
    count = Var.create(count)

    def in_locale(locale: str) -> rx.Var:
        forms = {category: text.format(count=count, **params)
                 for category, text in plural_variants(key, locale).items()}
        other = forms.pop("other")
        if not forms:
            return Var.create(other)
        category = Var(f"({plural_rule_javascript(locale)})({count})",
                       _var_data=count._get_all_var_data()).to(str)
        return rx.match(category, *forms.items(), other)

    return rx.cond(SessionState.is_en, in_locale("en"), in_locale("id"))


def page_title(key: str) -> rx.Var:
    """A page's <title> (@rx.page(title=...)): follows the chosen language after hydration."""
    return t(key)


def pick(indonesian: rx.Var | str, english: rx.Var | str) -> rx.Var:
    """Staff-written content in both languages, falling back to the other when one is empty; the
    fallback is marked ("(in Indonesian)" / "(dalam bahasa Inggris)")."""
    marker_id, marker_en = CATALOGUE["content.fallback"]
    indonesian, english = Var.create(indonesian).to(str), Var.create(english).to(str)
    return rx.cond(SessionState.is_en,
                   rx.cond(english, english, rx.cond(indonesian, indonesian + " " + marker_en, "")),
                   rx.cond(indonesian, indonesian, rx.cond(english, english + " " + marker_id, "")))
