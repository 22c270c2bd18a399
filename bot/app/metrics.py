"""Counters for `GET /metrics`, written in the Prometheus text exposition format."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping

_Labels = tuple[tuple[str, str], ...]


class Counters:
    """Monotonic counters with labels, plus gauges read on demand when the page is rendered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, dict[_Labels, float]] = {}
        self._help: dict[str, str] = {}
        self._gauges: list[tuple[str, str, Callable[[], Mapping[_Labels, float]]]] = []

    def describe(self, name: str, text: str) -> None:
        self._help[name] = text

    def add(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            series = self._values.setdefault(name, {})
            series[key] = series.get(key, 0.0) + amount

    def gauge(self, name: str, text: str, read: Callable[[], Mapping[_Labels, float]]) -> None:
        self._gauges.append((name, text, read))

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            counters = {name: dict(series) for name, series in self._values.items()}
        for name in sorted(set(counters) | set(self._help)):
            lines += _family(name, self._help.get(name, name), "counter", counters.get(name, {}).items())
        for name, text, read in self._gauges:
            lines += _family(name, text, "gauge", read().items())
        return "\n".join(lines) + "\n"


def _family(name: str, text: str, kind: str, samples: Iterable[tuple[_Labels, float]]) -> list[str]:
    lines = [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
    for labels, value in sorted(samples):
        rendered = ",".join(f'{key}="{_escape(val)}"' for key, val in labels)
        lines.append(f"{name}{{{rendered}}} {value:g}" if rendered else f"{name} {value:g}")
    return lines


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
