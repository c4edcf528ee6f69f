"""Checks for values that arrive from a browser: any type, any size. Each failure names the field."""

import re
from datetime import date, datetime

from hub_app.domain.errors import InvalidInput

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<\s*[a-zA-Z/!?]")


def text(value: object, *, field: str, max_length: int, required: bool = False, multiline: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("error.field_type", field=field)
    value = _CONTROL.sub("", value).strip()
    if not multiline:
        value = " ".join(value.split())
    if required and not value:
        raise InvalidInput("error.field_required", field=field)
    if len(value) > max_length:
        raise InvalidInput("error.field_too_long", field=field, max=max_length)
    return value


def no_tags(value: str, *, field: str) -> str:
    """Plain-text fields (names, titles, profile texts) are shown as text, never as markup; something
    that looks like an HTML tag is refused with a message ("<3" and "a < b" are fine)."""
    if _TAG.search(value):
        raise InvalidInput("error.markup", field=field)
    return value


def email(value: object, *, field: str = "email") -> str:
    value = text(value, field=field, max_length=254, required=True)
    if not EMAIL_PATTERN.match(value):
        raise InvalidInput("error.email_invalid", field=field)
    return value


def choice(value: object, options: tuple[str, ...] | frozenset[str], *, field: str, required: bool = True) -> str:
    if (value is None or value == "") and not required:
        return ""
    if not isinstance(value, str) or value not in options:
        raise InvalidInput("error.field_choice", field=field)
    return value


def integer(value: object, *, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool):
        raise InvalidInput("error.field_type", field=field)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        value = int(value)
    if not isinstance(value, int):
        raise InvalidInput("error.field_type", field=field)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InvalidInput("error.field_range", field=field, min=minimum, max=maximum)
    return value


def identifier(value: object, *, field: str = "id") -> int:
    """A database id from the browser: a positive integer or its decimal string."""
    return integer(value, field=field, minimum=1, maximum=2**62)


def flag(value: object, *, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("on", "true", "1", 1):
        return True
    if value in ("", "off", "false", "0", 0, None):
        return False
    raise InvalidInput("error.field_type", field=field)


def iso_date(value: object, *, field: str) -> date:
    if not isinstance(value, str) or len(value) > 10:
        raise InvalidInput("error.date_invalid", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("error.date_invalid", field=field) from None


def iso_datetime(value: object, *, field: str) -> datetime:
    if not isinstance(value, str) or len(value) > 32:
        raise InvalidInput("error.date_invalid", field=field)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("error.date_invalid", field=field) from None
