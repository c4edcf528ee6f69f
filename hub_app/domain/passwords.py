"""Password policy: 8 to 128 characters, not a common or guessable password (zxcvbn)."""

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
MAX_LENGTH = 128
# Words people at a Jakarta hub reach for; zxcvbn also weighs them against the password.
HUB_WORDS = ["jakarta", "indonesia", "berlin", "hub", "future", "city", "rahasia", "bismillah", "sayang"]
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """The catalogue key of what is wrong with this password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "password.too_short"
    if len(password) > MAX_LENGTH:
        return "password.too_long"
    if password.lower() in _COMMON:
        return "password.common"
    inputs = [word for value in user_inputs for word in value.lower().replace("@", " ").split() if word]
    if zxcvbn(password, user_inputs=inputs + HUB_WORDS)["score"] < 2:
        return "password.guessable"
    return None
