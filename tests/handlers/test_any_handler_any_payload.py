"""Every event handler of every State, called by every kind of actor with payloads of the wrong type
and size: nothing crashes, and junk never changes accounts, roles, memberships, the audit trail or
anyone's notifications. New handlers are picked up automatically (the enumeration is live); their
meaning still needs a written test (see test_handler_registry.py)."""

import pytest

from tests.handlers.handler_harness import (
    all_handlers,
    call_with_junk,
    covers,
    db_fingerprint,
    handler_parameters,
    hub_states,
)

HANDLERS = sorted(all_handlers())
PROTECTED_TABLES = ("users", "audit_entries", "notifications")


@pytest.mark.parametrize("key", HANDLERS)
def test_junk_payloads_never_crash_and_change_nothing_protected(key, hub, people):
    state, name = all_handlers()[key]
    before = db_fingerprint(people.engine, PROTECTED_TABLES)
    for role, person in people.by_role().items():
        tab = hub.browser(person)
        try:
            call_with_junk(tab, state, name)
        except AssertionError as error:
            raise AssertionError(f"as {role}: {error}") from None
        tab.picklable()
    assert db_fingerprint(people.engine, PROTECTED_TABLES) == before


@covers(*[f"{state.__name__}.setvar" for state in hub_states()])
@pytest.mark.parametrize("state", hub_states(), ids=lambda state: state.__name__)
def test_setvar_cannot_set_our_vars(state, hub, people):
    """Reflex adds `setvar(var_name, value)` to every State. With auto setters off (the default) it
    finds no setter for our vars, so a browser cannot set e.g. user_role or signed_in itself."""
    tab = hub.browser(people.active)
    tab.load("/")
    names = [name for name in state.base_vars if not name.startswith("_")] + ["user_role", "signed_in", "lang"]
    for var_name in names:
        before = getattr(tab.state(state), var_name, None)
        tab.send(state.setvar, {"var_name": var_name, "value": "admin"}).not_crashed()
        assert getattr(tab.state(state), var_name, None) == before, var_name
    assert not tab.state(state).is_admin
    assert [p.name for p in handler_parameters(state, "setvar")] == ["var_name", "value"]
