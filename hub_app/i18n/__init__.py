"""Message catalogues (Indonesian first, English second) and locale formatting with Babel.

Each feature keeps its strings in hub_app/i18n/messages/<feature>.py as
MESSAGES = {"key": ("Indonesian", "English")}; all modules there are merged at import.

Plurals: a message with a number may have variants for Babel's plural categories of a language,
"<key>.one" (and "<key>.few", ... where a language has them); "<key>" itself is the "other" form.
translate() picks the variant from the `count` parameter, or from the only number among the
parameters ("1 thread", "2 threads"; Indonesian has one form).
"""

import importlib
import pkgutil
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal
from babel.plural import to_javascript

from hub_app.i18n import messages as _messages_package

LOCALES = ("id", "en")
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many")  # besides "other", the message's own key
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


def plural_category(count: object, locale: str) -> str:
    """Babel's plural category of `count` in `locale` ("one", "other", ...)."""
    return _locale(locale).plural_form(abs(count))


def _plural_count(params: dict) -> int | float | None:
    """The number a message's plural form follows: `count`, else the only number among the params."""
    def number(value: object) -> int | float | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return None

    if "count" in params:
        return number(params["count"])
    numbers = [found for found in map(number, params.values()) if found is not None]
    return numbers[0] if len(numbers) == 1 else None


def plural_variants(key: str, locale: str) -> dict[str, str]:
    """The plural forms of a message in `locale`: {"one": ..., "other": ...} (only "other" when the
    message or the language has no other forms)."""
    index = 1 if locale == "en" else 0
    forms = {"other": CATALOGUE[key][index]}
    for category in _locale(locale).plural_form.tags:
        variant = CATALOGUE.get(f"{key}.{category}")
        if variant is not None:
            forms[category] = variant[index]
    return forms


def plural_rule_javascript(locale: str) -> str:
    """Babel's plural rule of `locale` as a JavaScript function (n) => category, for the browser."""
    return to_javascript(_locale(locale).plural_form)


def translate(key: str, locale: str = DEFAULT_LOCALE, **params: object) -> str:
    """The message for `key` in `locale`, with {params} filled in (in the plural form that the
    number among them asks for); the key itself if unknown."""
    texts = CATALOGUE.get(key)
    if texts is None:
        return key
    locale = normalize_locale(locale)
    if params:
        count = _plural_count(params)
        if count is not None:
            texts = CATALOGUE.get(f"{key}.{plural_category(count, locale)}", texts)
    text = texts[1] if locale == "en" else texts[0]
    return text.format(**params) if params else text


def pick(indonesian: str, english: str, locale: str) -> str:
    """Staff-written content in two languages: the reader's one, else the other."""
    first, second = (english, indonesian) if locale == "en" else (indonesian, english)
    return first or second


def fallback_marker(indonesian: str, english: str, locale: str) -> str:
    """"(in Indonesian)" / "(dalam bahasa Inggris)" when pick() shows the other language's text, else ""."""
    first, second = (english, indonesian) if locale == "en" else (indonesian, english)
    return translate("content.fallback", locale) if not first and second else ""


def pick_marked(indonesian: str, english: str, locale: str) -> str:
    """pick(), with the marker appended when the text is the other language's (staff content shown to
    readers: space names, training titles and descriptions)."""
    marker = fallback_marker(indonesian, english, locale)
    text = pick(indonesian, english, locale)
    return f"{text} {marker}" if marker else text


@lru_cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _babel_locale(locale: str) -> str:
    return "en_GB" if locale == "en" else "id_ID"


@lru_cache
def _locale(locale: str) -> Locale:
    return Locale.parse(_babel_locale(locale))


def _zone_suffix(timezone: str) -> str:
    return _TZ_ABBREVIATIONS.get(timezone, timezone)


def zone_label(timezone: str) -> str:
    """How a time's zone is named to readers: "WIB" for Asia/Jakarta (an export's "Mulai (WIB)")."""
    return _zone_suffix(timezone)


def format_datetime(value: datetime, locale: str, timezone: str = "Asia/Jakarta") -> str:
    """'Kamis, 28 April 2022, 10.00 WIB' / 'Thursday, 28 April 2022, 10:00 WIB'."""
    local = value.astimezone(_zone(timezone))
    day = babel_format_date(local, "EEEE, d MMMM y", locale=_locale(locale))
    time = format_time(value, locale, timezone)
    return f"{day}, {time} {_zone_suffix(timezone)}"


def format_date(value, locale: str, pattern: str = "EEEE, d MMMM y") -> str:
    if type(value) is date:
        return _format_day(value, locale, pattern)
    return babel_format_date(value, pattern, locale=_locale(locale))


@lru_cache(maxsize=4096)
def _format_day(value: date, locale: str, pattern: str) -> str:
    """A calendar page names the same few dozen days on every load."""
    return babel_format_date(value, pattern, locale=_locale(locale))


@lru_cache(maxsize=8192)
def format_time(value: datetime, locale: str, timezone: str = "Asia/Jakarta") -> str:
    """'10.00' / '10:00'. Written out rather than through Babel (the same digits in both languages),
    and remembered: a calendar day formats hundreds of these per page load, mostly the same slot
    boundaries (an aware datetime hashes by its instant, which is all the result depends on)."""
    local = value.astimezone(_zone(timezone))
    return f"{local.hour:02d}{':' if locale == 'en' else '.'}{local.minute:02d}"


def format_short_datetime(value: datetime, locale: str, timezone: str = "Asia/Jakarta") -> str:
    local = value.astimezone(_zone(timezone))
    return babel_format_datetime(local, "d MMM y, " + ("HH:mm" if locale == "en" else "HH.mm"),
                                 locale=_locale(locale)) + f" {_zone_suffix(timezone)}"


def format_number(value: float, locale: str) -> str:
    return format_decimal(value, locale=_locale(locale))
