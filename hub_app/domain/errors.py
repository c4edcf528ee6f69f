"""Errors that carry a catalogue key, so every layer can show a translated message."""


class HubError(Exception):
    """A refused request. `key` names the message in the catalogue; `params` fill it in."""

    default_key = "error.generic"

    def __init__(self, key: str | None = None, *, field: str = "", **params: object):
        self.key = key or self.default_key
        self.field = field
        self.params = params
        super().__init__(self.key)


class InvalidInput(HubError):
    default_key = "error.invalid"


class NotAllowed(HubError):
    default_key = "error.not_allowed"


class NotFound(HubError):
    default_key = "error.not_found"


class Conflict(HubError):
    default_key = "error.conflict"


class Unavailable(HubError):
    """The database could not be reached (restarting, failing over): nothing was done; try again."""

    default_key = "outage.database"
