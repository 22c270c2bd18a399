"""The server's logs: one JSON object a line, through structlog.

Every line carries the context of the work it belongs to, bound with `context(...)`: the delivery id,
the repository and pull request of a webhook, and the job id of the worker that runs it. The standard
library's loggers (ours and the libraries') go through the same renderer, so the whole output is
JSON. Secrets are never logged; exception text stays in the logs and never reaches a pull request.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure(level: int = logging.INFO) -> None:
    """JSON lines on standard error for structlog's loggers and the standard library's alike."""
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(sort_keys=False),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "procrastinate"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get(name: str) -> Any:
    """A logger whose lines carry the bound context."""
    return structlog.stdlib.get_logger(name)


@contextmanager
def context(**values: object) -> Iterator[None]:
    """Bind `values` (delivery, repository, pull_request, job) to every line logged inside."""
    kept = {key: value for key, value in values.items() if value not in (None, "", 0)}
    with structlog.contextvars.bound_contextvars(**kept):
        yield
