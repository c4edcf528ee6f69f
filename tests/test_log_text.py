"""Visitor text on its way into a log (hub_app/domain/log_text.py, and the log record factory of
hub_app/transport.py for Reflex's event path): one printable line, bounded, nothing lost silently."""

import logging

from hub_app.domain.log_text import for_log, traceback_for_log

FORGED = "Boom\n2026-11-27 12:00:00 ERROR forged line\r\x1b[2J\x1b]0;owned\x07\u2028\u202eend\\n"


def test_for_log_escapes_every_control_character_and_keeps_the_text_readable():
    line = for_log(FORGED)
    assert line.isprintable()
    assert line == ("Boom\\n2026-11-27 12:00:00 ERROR forged line\\r\\x1b[2J\\x1b]0;owned\\x07\\u2028\\u202eend"
                    "\\\\n")
    assert for_log("Rina Kusuma — UMKM kopi") == "Rina Kusuma — UMKM kopi"


def test_for_log_cuts_long_text_and_says_so():
    assert for_log("A" * 96_000, 100) == "A" * 100 + "... (95900 more characters)"
    assert for_log(ValueError("bad\nvalue")) == "bad\\nvalue"


def test_traceback_for_log_keeps_frames_and_escapes_the_messages():
    def fail():
        try:
            raise KeyError("inner")
        except KeyError as error:
            raise ValueError(FORGED) from error

    try:
        fail()
    except ValueError as error:
        text = traceback_for_log(error)
    assert "\x1b" not in text and "\r" not in text
    assert not [line for line in text.splitlines() if line.startswith("2026-11-27")]
    assert "The above exception was the direct cause" in text and 'in fail' in text
    assert "builtins.ValueError: Boom\\n2026-11-27 12:00:00 ERROR forged line" in text


def test_records_of_reflexs_event_path_are_escaped_as_they_are_created(caplog):
    from hub_app.logs import install_log_escaping

    install_log_escaping()
    install_log_escaping()  # idempotent
    with caplog.at_level(logging.WARNING):
        logging.getLogger("reflex.app").warning("Event data: %s", FORGED)
        try:
            raise RuntimeError(FORGED)
        except RuntimeError:
            logging.getLogger("reflex_base.event.processor.event_processor").exception("Error processing %s", "x")
        logging.getLogger("hub.other").warning("own\nlines stay")
    event_path, failure, own = caplog.records[-3:]
    assert event_path.getMessage() == "Event data: " + for_log(FORGED)
    assert failure.exc_info is None and "\x1b" not in failure.getMessage()
    assert "builtins.RuntimeError: Boom\\n2026" in failure.getMessage()
    assert own.getMessage() == "own\nlines stay"
