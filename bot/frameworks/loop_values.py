"""The value a loop's variable takes while a reader walks the loop's body once per value.

`%w[orders invoices].each do |table|`, `foreach (['orders', 'invoices'] as $name)`, `for (const t of [...])`:
the readers of Ruby, PHP, Elixir and JavaScript walk such a body once per name, and while they do, the variable
reads as that name in a call's arguments and inside the SQL strings. The binding is a context variable, so a
generator that yields the body's statements can hold it while its caller reads each one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class LoopValues:
    """The variables bound by the loops being walked, innermost last."""

    def __init__(self, language: str) -> None:
        self._bound: ContextVar[tuple[tuple[str, object], ...]] = ContextVar(
            f"{language}_loop_values", default=()
        )

    @contextmanager
    def binding(self, variable: str, value: object) -> Iterator[None]:
        """Read `variable` as `value` until the block ends (a name; in Ruby also a list or a hash, an item of
        a loop over a list of argument lists: `[[:links, [:a, :b]], …].each do |table, columns|`)."""
        token = self._bound.set((*self._bound.get(), (variable, value)))
        try:
            yield
        finally:
            self._bound.reset(token)

    def value(self, variable: str) -> str | None:
        """The name `variable` holds in the loop being walked, or None outside one (or when it holds no name)."""
        found = self.held(variable)
        return found if isinstance(found, str) else None

    def held(self, variable: str) -> object | None:
        """Whatever `variable` holds in the loop being walked, or None outside one."""
        return next((v for k, v in reversed(self._bound.get()) if k == variable), None)


def names(found: object) -> list[str] | None:
    """A loop's values when it runs over names: a non-empty list of strings; None for anything else."""
    if not isinstance(found, list) or not found or not all(isinstance(v, str) for v in found):
        return None
    return [str(v) for v in found]
