"""Pure rules of training certificates: the code (its format, reading it back as people type it),
statuses, what a certificate's hours are, and the "Add to LinkedIn" link. No reflex, no database.

A code is 20 Crockford base32 symbols (100 random bits), shown in five groups of four
("7KQ2-M9XD-..."): long enough that nobody finds a certificate by guessing, short enough to read
out on the phone. Crockford's alphabet has no I, L, O or U, so a code typed with those (or in
lower case, or without the hyphens) is read as the symbol it was mistaken for."""

import secrets
from datetime import datetime
from urllib.parse import urlencode

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20  # symbols of 5 bits: 100 bits
GROUP = 4
BITS = LENGTH * 5
# What /certificates/<code> reads at most (a grouped code is 24 characters); longer is "not found".
MAX_INPUT = 40

VALID = "valid"
REVOKED = "revoked"
REPLACED = "replaced"
STATUSES = (VALID, REVOKED, REPLACED)

LIMITS = {"name": 100, "reason": 500}

_MISREAD = str.maketrans({"I": "1", "L": "1", "O": "0"})

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def new_code() -> str:
    """A fresh code in its stored form (20 symbols, no hyphens)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """"7KQ2M9XD..." -> "7KQ2-M9XD-..." (how it is printed, linked and read)."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def parse_code(value: object) -> str | None:
    """The stored form of a code as someone typed or linked it, or None when it cannot be one
    (wrong type, length or symbols). Hyphens and spaces are ignored, case too."""
    if not isinstance(value, str) or len(value) > MAX_INPUT:
        return None
    symbols = value.replace("-", "").replace(" ", "").upper().translate(_MISREAD)
    if len(symbols) != LENGTH or any(symbol not in ALPHABET for symbol in symbols):
        return None
    return symbols


def verify_path(code: str) -> str:
    return f"/certificates/{grouped(code)}"


def verify_url(base_url: str, code: str) -> str:
    """The address in the QR code and the LinkedIn link: where anyone checks the certificate."""
    return base_url.rstrip("/") + verify_path(code)


def hours_of(sessions: list[tuple[datetime, datetime]]) -> float:
    """A training's hours: the sum of its sessions' lengths, to a quarter of an hour."""
    seconds = sum((end - start).total_seconds() for start, end in sessions if end > start)
    return round(seconds / 900) / 4


def hours_text(hours: float) -> str:
    """"12", "1.5", "2.25": no trailing zeros (the catalogue adds the unit)."""
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def linkedin_url(*, certification: str, organization: str, issued: datetime, cert_url: str, cert_id: str) -> str:
    """LinkedIn's "Add licence or certification" form, filled in (its public add-to-profile link:
    startTask=CERTIFICATION_NAME with name, organizationName, issueYear, issueMonth, certUrl, certId)."""
    query = urlencode({
        "startTask": "CERTIFICATION_NAME", "name": certification, "organizationName": organization,
        "issueYear": str(issued.year), "issueMonth": str(issued.month), "certUrl": cert_url, "certId": cert_id,
    })
    return f"{LINKEDIN_ADD}?{query}"
