"""Catalogue strings in components: both languages are compiled in and the browser shows the one
matching SessionState.lang, so switching language needs no round trip."""

import reflex as rx

from hub_app.i18n import CATALOGUE
from hub_app.state.session import SessionState


def t(key: str) -> rx.Var:
    indonesian, english = CATALOGUE[key]
    return rx.cond(SessionState.is_en, english, indonesian)


def tf(key: str, **params) -> rx.Var:
    """A catalogue string with {params} filled from Vars or values."""
    indonesian, english = CATALOGUE[key]
    return rx.cond(SessionState.is_en, english.format(**params), indonesian.format(**params))


def pick(indonesian: rx.Var | str, english: rx.Var | str) -> rx.Var:
    """Staff-written content in both languages, falling back to the other when one is empty."""
    return rx.cond(SessionState.is_en, rx.cond(english, english, indonesian), rx.cond(indonesian, indonesian, english))
