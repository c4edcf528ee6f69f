"""Regions that scroll sideways on a phone (wide tables, the booking calendar): focusable and named,
so that a keyboard can scroll them (WCAG 2.1.1) and a screen reader says what they are."""

import reflex as rx


def scroll_region(*children: rx.Component, label: rx.Var | str, class_name: str, **props) -> rx.Component:
    return rx.el.div(*children, class_name=class_name, role="region", tab_index=0, aria_label=label, **props)
