"""`deployment: offline`: the application is stopped while migrations run (self-hosted upgrades,
maintenance windows), so what a lock does to traffic is a note, and no old release inserts meanwhile."""

from __future__ import annotations

import pytest

from bot.model.config import Config, ConfigError, parse_config
from tests.conftest import review_sql

BASE = {
    "db/migrations/000_base.sql": "CREATE TABLE devices (id bigint PRIMARY KEY, name text);\n"
    "CREATE TABLE racks (id bigint PRIMARY KEY, label text);\n"
}
LOCKING = (
    "CREATE INDEX devices_name_idx ON devices (name);\n"
    "ALTER TABLE racks ADD CONSTRAINT racks_label_len CHECK (length(label) < 100);\n"
)


def test_offline_locking_findings_are_notes_that_say_why() -> None:
    online = review_sql(LOCKING, base=BASE)
    assert online.approval == "BLOCKED" and any(f.severity.value == "critical" for f in online.active)
    offline = review_sql(LOCKING, base=BASE, config=Config(deployment="offline"))
    locking = [f for f in offline.active if f.rule in ("non-concurrent-index", "constraint-not-valid")]
    assert len(locking) == 2 and all(f.severity.value == "info" for f in locking)
    assert all("`deployment: offline`" in f.blast_radius for f in locking)
    assert offline.approval == "APPROVED"


def _critical(sql: str, mode: str) -> list[str]:
    config = Config(deployment=mode)  # type: ignore[arg-type]
    return [
        f.rule for f in review_sql(sql, base=BASE, config=config).active if f.severity.value == "critical"
    ]


def test_offline_no_running_release_inserts_but_a_column_without_default_still_fails() -> None:
    dropped = "ALTER TABLE devices ADD COLUMN level integer NOT NULL DEFAULT 0;\nALTER TABLE devices ALTER COLUMN level DROP DEFAULT;\n"
    assert "not-null-without-default" in _critical(dropped, "online")
    assert "not-null-without-default" not in _critical(dropped, "offline")
    bare = "ALTER TABLE racks ADD COLUMN position integer NOT NULL;\n"
    assert "not-null-without-default" in _critical(bare, "offline")  # existing rows get no value


def test_an_unknown_deployment_names_the_key_and_the_file() -> None:
    with pytest.raises(ConfigError, match=r"cfg\.yml: deployment"):
        parse_config("deployment: sometimes\n", "cfg.yml")
