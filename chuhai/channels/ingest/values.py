"""Cell value parsers for the formats platforms and Excel produce. Each raises :class:`CellError` with a reason;
:func:`chuhai.channels.ingest.reading.cell` turns that into an error naming the line and column."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from .errors import CellError

UTC = dt.UTC
_CURRENCY_MARKS = re.compile(r"^(?:[A-Z]{3}\s*|US\s*\$|C\$|A\$|S\$|HK\$|NT\$|R\$|RM|Rp|₱|฿|€|£|¥|￥|\$|₩|₹|zł|kr)\s*|"
                             r"\s*(?:[A-Z]{3}|€|£|¥|₫|zł|kr)$")
_SCIENTIFIC = re.compile(r"^-?\d+(?:[.,]\d+)?[eE][+-]?\d+$")

#: Zone abbreviations seen in Amazon, eBay and settlement dates. Ambiguous ones (IST, CST in China) are not guessed.
TZ_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5,
    "EDT": -4, "AKST": -9, "AKDT": -8, "HST": -10, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "JST": 9,
    "AEST": 10, "AEDT": 11, "SGT": 8, "MYT": 8,
}


def text(value) -> str:
    """A cell as text, with Excel's protective marks removed (trailing tab, leading apostrophe)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip().strip("\t").strip()
    return result[1:] if result.startswith("'") else result


def identifier(value) -> str:
    """An ID kept as a string. A number Excel has reformatted (``1.12E+18``, ``583870900000000000`` as float) is an
    error, not data: its digits are already lost."""
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= 2**53:
            raise CellError("this ID was turned into a number by Excel and has lost digits; export the report "
                            "again and import the original file", repr(value))
        return str(int(value))
    result = text(value)
    if _SCIENTIFIC.match(result):
        raise CellError("this ID is in scientific notation (mangled by Excel); import the original report file",
                        result)
    return result


AMAZON_ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")


def amazon_order_id(value) -> str:
    result = identifier(value)
    if AMAZON_ORDER_ID.match(result) or re.match(r"^[A-Z]\d{2}-\d{7}-\d{7}$", result):
        return result
    if re.fullmatch(r"\d{15,20}", result):
        raise CellError("an Amazon order id without its dashes (a spreadsheet turned it into a number); "
                        "import the original report file", result)
    if not result or len(result) > 64:
        raise CellError("not an order id", result)
    return result  # Non-Amazon (MCF) orders carry the seller's own ids


def decimal(value, *, decimal_comma: bool | None = None) -> Decimal:
    """A money or number cell: ``$1,433.66``, ``"1,44,957.78"``, ``1.234,56`` (decimal comma), ``(12.50)``,
    ``-1.04``, ``EUR 12,00``. ``decimal_comma`` None decides from the text; XLSX numbers arrive as float/int."""
    if isinstance(value, bool):
        raise CellError("not a number", str(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    raw = text(value)
    s = raw.replace("\xa0", "").replace(" ", "").replace("\u202f", "")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    s = _CURRENCY_MARKS.sub("", s).strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    if not s or not re.fullmatch(r"[\d.,']+", s):
        raise CellError("not a number", raw)
    s = s.replace("'", "")
    if decimal_comma is None:
        if "," in s and "." in s:
            decimal_comma = s.rfind(",") > s.rfind(".")
        elif "," in s:
            tail = s.rsplit(",", 1)[1]
            decimal_comma = len(tail) != 3 or s.count(",") == 1 and s.startswith("0,")
        else:
            decimal_comma = False
    if decimal_comma:
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    try:
        result = Decimal(s)
    except InvalidOperation as exc:
        raise CellError("not a number", raw) from exc
    return -result if negative else result


#: Markets that group thousands with dots (``Rp 125.000``, ``250.000₫``) when amounts arrive as text.
DECIMAL_COMMA_MARKETS = frozenset({"ID", "VN"})


def amount_parser(marketplace: str):
    """The money-cell parser for a market: in Indonesia and Vietnam dots group thousands; elsewhere decided from
    the text (see :func:`decimal`)."""
    comma = True if marketplace in DECIMAL_COMMA_MARKETS else None

    def amount(value):
        return decimal(value, decimal_comma=comma)

    return amount


def integer(value) -> int:
    number = decimal(value)
    if number != number.to_integral_value():
        raise CellError("not a whole number", text(value))
    return int(number)


def boolean(value) -> bool:
    raw = text(value).casefold()
    if raw in {"true", "yes", "y", "1", "是"}:
        return True
    if raw in {"false", "no", "n", "0", "否", ""}:
        return False
    raise CellError("not yes/no", text(value))


def _with_zone(moment: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    if moment.tzinfo is not None:
        return moment
    if tz is None:
        raise CellError("the time has no time zone and none is known for this marketplace")
    return moment.replace(tzinfo=tz)


def timestamp(value, *, formats: tuple[str, ...] = (), tz: dt.tzinfo | str | None = None,
              dayfirst: bool | None = None) -> dt.datetime:
    """An aware datetime from ISO 8601 (``2017-06-17T08:04:21+00:00``, ``…Z``), ``2025-06-09 05:23:19 UTC``,
    ``Dec 1, 2017 12:38:23 AM PST``, ``2025-10-02 17:09:34 -0300``, the given ``formats``, or an Excel date.
    Naive times take ``tz`` (the marketplace's zone)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    if isinstance(value, dt.datetime):
        return _with_zone(value, zone)
    if isinstance(value, dt.date):
        return _with_zone(dt.datetime.combine(value, dt.time()), zone)
    raw = text(value)
    if not raw:
        raise CellError("date required")
    try:
        return _with_zone(dt.datetime.fromisoformat(raw), zone)
    except ValueError:
        pass
    s = raw
    m = re.match(r"^(.*\S)\s+([A-Z]{1,5})$", s)
    offset = None
    if m and m.group(2) in TZ_ABBREVIATIONS:
        s, offset = m.group(1), dt.timezone(dt.timedelta(hours=TZ_ABBREVIATIONS[m.group(2)]))
    candidates = list(formats) + [
        "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
        "%b %d, %Y %I:%M:%S %p", "%d %b %Y %I:%M:%S %p", "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%b %d, %Y",
        "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    ]
    if dayfirst is True:
        candidates += ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"]
    elif dayfirst is False:
        candidates += ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"]
    for fmt in candidates:
        try:
            moment = dt.datetime.strptime(s.lower() if "%p" in fmt else s, fmt.replace("%p", "%p"))
        except ValueError:
            continue
        if offset is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=offset)
        return _with_zone(moment, zone)
    if dayfirst is None and re.match(r"^\d{1,2}/\d{1,2}/\d{2,4}", s):
        raise CellError("ambiguous date (day/month or month/day?): set the marketplace on the channel account", raw)
    raise CellError("not a date/time this report uses", raw)


def currency_code(value) -> str:
    from django.core.exceptions import ValidationError

    from chuhai.core.money import normalize_currency

    try:
        return normalize_currency(text(value))
    except ValidationError as exc:
        raise CellError("not an ISO 4217 currency code", text(value)) from exc


def country_code(value) -> str:
    from django.core.exceptions import ValidationError

    from chuhai.core.countries import normalize_country

    try:
        return normalize_country(text(value))
    except ValidationError as exc:
        raise CellError("not an ISO country code", text(value)) from exc


@lru_cache(maxsize=1024)
def resolve_country(raw: str) -> str | None:
    """An ISO 3166-1 alpha-2 code only when the text *is* ISO: an alpha-2 code (with the aliases sellers type,
    UK → GB), an alpha-3 code (Walmart's ``USA``), or an exact ISO name, official or common name, any case.
    Nothing is guessed: ``EIRE``, ``RSA``, ``Channel Islands``, ``Unspecified`` give None, and the caller keeps
    the original text visible instead of inventing a code."""
    import pycountry
    from django.core.exceptions import ValidationError

    from chuhai.core.countries import normalize_country

    value = (raw or "").strip()
    if not value:
        return None
    if len(value) == 2:
        try:
            return normalize_country(value)
        except ValidationError:
            return None
    if len(value) == 3 and value.isalpha():
        country = pycountry.countries.get(alpha_3=value.upper())
        if country is not None:
            return country.alpha_2
    wanted = value.casefold()
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if getattr(country, attr, "").casefold() == wanted:
                return country.alpha_2
    return None


def country_or_blank(value) -> str:
    """:func:`resolve_country` of a cell, or "" when it is not ISO."""
    return resolve_country(text(value)) or ""


def email_ref(email) -> str:
    """:func:`buyer_ref` of an e-mail cell ("" when there is none): one buyer on two channels, one reference."""
    email = "" if email is None or isinstance(email, bool) else str(email)
    return buyer_ref(email) if email.strip() else ""


def buyer_ref(value: str, platform: str | None = None) -> str:
    """SHA-256 of a normalised buyer identifier: repeat buyers stay recognisable, the identifier is never stored.
    Emails hash without a prefix (the same buyer matches across channels); usernames carry their platform's."""
    import hashlib

    key = value.strip().casefold()
    return hashlib.sha256((f"{platform}:{key}" if platform else key).encode()).hexdigest()


def sku_from_label(label: str, max_length: int = 100) -> str:
    """A channel SKU for an item that has none: its title (a key a person can map), shortened with a digest of
    the full title when too long, so distinct long titles stay distinct."""
    import hashlib

    if len(label) <= max_length:
        return label
    return label[: max_length - 9] + "~" + hashlib.sha256(label.encode()).hexdigest()[:8]
