"""Every public event handler of every State has a written test (registered with covers())."""

from tests.handlers.handler_harness import COVERED, all_handlers, import_handler_tests


def test_every_event_handler_has_a_test():
    import_handler_tests()
    missing = sorted(set(all_handlers()) - set(COVERED))
    assert not missing, (
        "These event handlers have no test. Any browser can call them with any payload: add a test in "
        "tests/handlers/test_<feature>_handlers.py decorated with @covers(State.handler) "
        f"(see tests/README.md): {missing}"
    )


def test_registered_handlers_exist():
    import_handler_tests()
    unknown = sorted(set(COVERED) - set(all_handlers()))
    assert not unknown, f"covers() names handlers that do not exist (renamed or removed?): {unknown}"


def test_enumeration_finds_the_foundation_states():
    names = {key.split(".")[0] for key in all_handlers()}
    assert {"SessionState", "SignupState", "LoginState", "VerifyState", "ResetPasswordState", "ProfileState",
            "NotificationsState", "AdminMembersState", "AdminAuditState"} <= names
    assert "ShellState.sign_out" in all_handlers()
    assert "LoginState.setvar" in all_handlers()  # Reflex adds setvar to every State
