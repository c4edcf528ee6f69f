"""Message catalogues (Indonesian first, English second) and locale formatting with Babel.

Each feature keeps its strings in hub_app/i18n/messages/<feature>.py as
MESSAGES = {"key": ("Indonesian", "English")}; all modules there are merged at import.
"""

import importlib
import pkgutil
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal

from hub_app.i18n import messages as _messages_package

LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"
_TZ_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def _load_catalogue() -> dict[str, tuple[str, str]]:
    catalogue: dict[str, tuple[str, str]] = {}
    for module_info in pkgutil.iter_modules(_messages_package.__path__):
        module = importlib.import_module(f"{_messages_package.__name__}.{module_info.name}")
        duplicated = catalogue.keys() & module.MESSAGES.keys()
        if duplicated:
            raise RuntimeError(f"message keys defined twice: {sorted(duplicated)}")
        catalogue.update(module.MESSAGES)
    return catalogue


CATALOGUE = _load_catalogue()


def normalize_locale(value: object) -> str:
    return value if isinstance(value, str) and value in LOCALES else DEFAULT_LOCALE


def translate(key: str, locale: str = DEFAULT_LOCALE, **params: object) -> str:
    """The message for `key` in `locale`, with {params} filled in; the key itself if unknown."""
    texts = CATALOGUE.get(key)
    if texts is None:
        return key
    text = texts[1] if locale == "en" else texts[0]
    return text.format(**params) if params else text


def pick(indonesian: str, english: str, locale: str) -> str:
    """Staff-written content in two languages: the reader's one, else the other."""
    first, second = (english, indonesian) if locale == "en" else (indonesian, english)
    return first or second


@lru_cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _babel_locale(locale: str) -> str:
    return "en_GB" if locale == "en" else "id_ID"


def _zone_suffix(timezone: str) -> str:
    return _TZ_ABBREVIATIONS.get(timezone, timezone)


def format_datetime(value: datetime, locale: str, timezone: str = "Asia/Jakarta") -> str:
    """'Kamis, 28 April 2022, 10.00 WIB' / 'Thursday, 28 April 2022, 10:00 WIB'."""
    local = value.astimezone(_zone(timezone))
    day = babel_format_date(local, "EEEE, d MMMM y", locale=_babel_locale(locale))
    time = format_time(value, locale, timezone)
    return f"{day}, {time} {_zone_suffix(timezone)}"


def format_date(value, locale: str, pattern: str = "EEEE, d MMMM y") -> str:
    return babel_format_date(value, pattern, locale=_babel_locale(locale))


def format_time(value: datetime, locale: str, timezone: str = "Asia/Jakarta") -> str:
    local = value.astimezone(_zone(timezone))
    pattern = "HH:mm" if locale == "en" else "HH.mm"
    return babel_format_time(local, pattern, locale=_babel_locale(locale))


def format_short_datetime(value: datetime, locale: str, timezone: str = "Asia/Jakarta") -> str:
    local = value.astimezone(_zone(timezone))
    return babel_format_datetime(local, "d MMM y, " + ("HH:mm" if locale == "en" else "HH.mm"),
                                 locale=_babel_locale(locale)) + f" {_zone_suffix(timezone)}"


def format_number(value: float, locale: str) -> str:
    return format_decimal(value, locale=_babel_locale(locale))
