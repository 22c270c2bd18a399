"""Key ranges a Ruby loop moves batch after batch: `(0..max_id).step(1000) do |start| … end` with
`Order.where(id: start..(start + 1000)).update_all(…)`.

Each pass moves the block's variable by the step; a Range in the `where` bounds the key by it (`a..b`
includes both ends, `a...b` leaves the upper one out). Read as the bounds a PL/pgSQL loop's WHERE gives,
they show the keys that fall between two batches, or in both.
"""

from __future__ import annotations

import re

from bot.model.migration import BatchStep
from bot.sql.pg_batches import batch_step

# the loops that run their block once per value of a range or count: their changes are per pass
STEPS = frozenset({"step", "upto", "downto", "times"})


def range_step(code: str, variable: str, step: str, loop: str) -> BatchStep | None:
    """How a `step` loop over `variable` moves the key range of the change written as `code` (Ruby)."""
    pattern = re.compile(
        rf"(\w+):\s*\(?\s*{re.escape(variable)}\s*\)?\s*(\.\.\.?)\s*\(?\s*({re.escape(variable)}\s*[-+]\s*\w+)\s*\)?"
    )
    found = pattern.search(code)
    if found is None:
        return None
    column, dots, upper = found.group(1), found.group(2), found.group(3)
    column = "id" if column == "primary_key" else column
    condition = (
        f"{column} BETWEEN {variable} AND {upper}"
        if dots == ".."
        else f"{column} >= {variable} AND {column} < {upper}"
    )
    names = {variable, *re.findall(r"[A-Za-z_]\w*", upper)}
    return batch_step(
        f"DELETE FROM t WHERE {condition}", {variable.lower(): f"{variable} + {step}"}, names, loop
    )
