"""Text from a visitor, made safe for a log line: the one helper every log of visitor text uses.

A visitor's text may hold newlines (to forge log lines that look like the server's own), terminal
escape sequences (ESC [ ... m recolours, clears or retitles the operator's terminal), other control
characters, and any length. `for_log` escapes every character that is not printable as \\n, \\x1b,
\\u2028 ... (so the text stays readable and nothing is lost silently) and cuts it to `limit`
characters, saying how much was cut.
"""

import traceback

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def for_log(value: object, limit: int = 300) -> str:
    """`value` as one printable line of at most about `limit` characters (plus the cut notice)."""
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # a str() that raises is a visitor's problem, not the log's
        text = f"<unprintable {type(value).__name__}>"
    cut = len(text) - limit
    head = text[:limit] if cut > 0 else text
    if head.isprintable() and "\\" not in head:
        escaped = head
    else:
        escaped = "".join(_escaped(char) for char in head)
    return f"{escaped}... ({cut} more characters)" if cut > 0 else escaped


def traceback_for_log(error: BaseException, *, limit: int = 30) -> str:
    """A traceback whose frames keep their lines (they are our code) and whose exception messages,
    which may quote a visitor's input, go through for_log."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current, link = error, ""
    while current is not None and id(current) not in seen and len(chain) < 5:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "The above exception was the direct cause of the following exception:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "During handling of the above exception, another exception occurred:"
        else:
            current = None
    lines: list[str] = []
    for position, (item, _) in enumerate(reversed(chain)):
        if position:
            lines.append(f"\n{chain[len(chain) - position][1]}\n\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(item.__traceback__, limit=limit))
        lines.append(f"{type(item).__module__}.{type(item).__qualname__}: {for_log(item, 1000)}\n")
    return "".join(lines).rstrip("\n")
