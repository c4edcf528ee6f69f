"""Which version of the terms of use and the privacy notice a member has agreed to."""


def needs_agreement(agreed_version: str, current_version: str) -> bool:
    """A member who agreed to another version (or to none, e.g. an account made before versions
    were recorded) is asked to agree to the current one."""
    return bool(current_version) and agreed_version != current_version


# Pages a member who still has to agree may open: the texts themselves, the agreement page, and the
# profile (where they can download their data or delete the account instead of agreeing).
OPEN_WITHOUT_AGREEMENT = ("/agree", "/terms", "/privacy", "/profile")
