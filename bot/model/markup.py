"""Text for the Markdown every output shares."""

from __future__ import annotations

import re


def code_span(text: str) -> str:
    """`text` as inline code that stays one span when it holds backticks itself (MySQL's quoted names:
    ``UPDATE t SET `order` = 0``): delimited by one more backtick than its longest run, padded with a space."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    if not longest:
        return f"`{text}`"
    ticks = "`" * (longest + 1)
    return f"{ticks} {text} {ticks}"
