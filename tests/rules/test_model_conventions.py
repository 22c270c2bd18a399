"""Models found by their ORM's naming convention, with no table declared: GORM structs (`type APIKey
struct` for `api_keys`, a field `UserID` for `user_id`) and Sequelize's `define('user', …)` (pluralised
unless `freezeTableName`). A use ties to the model found; the same name on another model is not a use."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

SCHEMA = """
CREATE TABLE api_keys (id bigint PRIMARY KEY, user_id bigint, label text);
CREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint);
CREATE TABLE people (id bigint PRIMARY KEY, nickname text, label text);
CREATE TABLE categories (id bigint PRIMARY KEY, label text);
CREATE TABLE badge (id bigint PRIMARY KEY, label text);
-- migration
"""

GORM_MODELS = """package models

import "gorm.io/gorm"

type APIKey struct {
	gorm.Model
	UserID uint
	Label  string
}

type Session struct {
	ID     uint
	UserID uint
}
"""
GORM_SERVICE = """package keys

func Owner(apiKey *models.APIKey) uint {
	return apiKey.UserID
}

func SessionOwner(session *models.Session) uint {
	return session.UserID
}

func All(db *gorm.DB) []models.APIKey {
	var keys []models.APIKey
	db.Find(&keys)
	return keys
}
"""


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


def test_a_gorm_field_named_by_convention_is_a_use_of_its_tables_column() -> None:
    files = {"internal/models/models.go": GORM_MODELS, "internal/keys/keys.go": GORM_SERVICE}
    result = review_sql(SCHEMA + "ALTER TABLE api_keys DROP COLUMN user_id;", base=files)
    finding = _finding(result, "column-dropped")
    assert "internal/keys/keys.go:4" in _places(finding)  # apiKey.UserID
    assert "internal/models/models.go:7" in _places(finding)  # the field of APIKey
    assert "internal/keys/keys.go:8" not in _places(finding)  # session.UserID: sessions' column
    assert "internal/models/models.go:13" not in _places(finding)
    assert finding.severity is Severity.CRITICAL


def test_a_gorm_struct_is_the_model_of_its_conventional_table() -> None:
    files = {"internal/models/models.go": GORM_MODELS, "internal/keys/keys.go": GORM_SERVICE}
    result = review_sql(SCHEMA + "DROP TABLE api_keys;", base=files)
    finding = _finding(result, "table-dropped")
    assert {"internal/keys/keys.go:11", "internal/keys/keys.go:12"} <= _places(finding)
    # sessions is not its table: dropping it names no place of APIKey
    other = _finding(review_sql(SCHEMA + "DROP TABLE sessions;", base=files), "table-dropped")
    assert not {p for p in _places(other) if p.startswith("internal/keys/keys.go:1")}


SEQUELIZE_MODELS = """const { DataTypes } = require('sequelize');
const sequelize = require('../db');

const Human = sequelize.define('person', { nickname: DataTypes.STRING, label: DataTypes.STRING });
const Medal = sequelize.define('badge', { label: DataTypes.STRING }, { freezeTableName: true });
const Trophy = sequelize.define('category', { label: DataTypes.STRING }, { freezeTableName: true });

module.exports = { Human, Medal, Trophy };
"""
SEQUELIZE_SERVICE = """const { Human, Medal, Trophy } = require('../models');

async function names() {
  const humans = await Human.findAll({ attributes: ['id', 'label'] });
  const medals = await Medal.findAll({ attributes: ['id', 'label'] });
  const trophies = await Trophy.findAll({ attributes: ['id', 'label'] });
  return [humans, medals, trophies];
}
"""


def test_a_sequelize_model_maps_its_pluralised_name_or_its_frozen_name() -> None:
    files = {"src/models/index.js": SEQUELIZE_MODELS, "src/services/names.js": SEQUELIZE_SERVICE}
    people = _finding(
        review_sql(SCHEMA + "ALTER TABLE people DROP COLUMN label;", base=files), "column-dropped"
    )
    assert "src/services/names.js:4" in _places(people)  # Human: define('person') is `people`
    assert not {"src/services/names.js:5", "src/services/names.js:6"} & _places(people)
    badge = _finding(
        review_sql(SCHEMA + "ALTER TABLE badge DROP COLUMN label;", base=files), "column-dropped"
    )
    assert "src/services/names.js:5" in _places(badge)  # Medal: define('badge') frozen is `badge`
    assert not {"src/services/names.js:4", "src/services/names.js:6"} & _places(badge)


def test_a_frozen_sequelize_name_is_not_the_plural_table() -> None:
    # define('category', …, { freezeTableName: true }) maps `category`, not `categories`.
    files = {"src/models/index.js": SEQUELIZE_MODELS, "src/services/names.js": SEQUELIZE_SERVICE}
    result = review_sql(SCHEMA + "ALTER TABLE categories DROP COLUMN label;", base=files)
    assert "src/services/names.js:6" not in _places(_finding(result, "column-dropped"))


GORM_OPEN = """package db

import (
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

func Open(dsn string) (*gorm.DB, error) {{
	return gorm.Open(postgres.Open(dsn), &gorm.Config{{
		NamingStrategy: schema.NamingStrategy{{TablePrefix: "{prefix}", SingularTable: {singular}}},
	}})
}}
"""


@pytest.mark.parametrize(("prefix", "singular"), [("app_", True), ("tbl_", False)])
def test_a_gorm_naming_strategy_names_every_structs_table(prefix: str, singular: bool) -> None:
    # gorm.Config{NamingStrategy: {TablePrefix, SingularTable}}: APIKey maps `app_api_key` (or
    # `tbl_api_keys`), in a file that says nothing of it.
    table = f"{prefix}api_key" if singular else f"{prefix}api_keys"
    session = f"{prefix}session" if singular else f"{prefix}sessions"
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, user_id bigint, label text);\n"
        f"CREATE TABLE {session} (id bigint PRIMARY KEY, user_id bigint);\n-- migration\n"
    )
    files = {
        "internal/db/db.go": GORM_OPEN.format(prefix=prefix, singular=str(singular).lower()),
        "internal/models/models.go": GORM_MODELS,
        "internal/keys/keys.go": GORM_SERVICE,
    }
    finding = _finding(
        review_sql(schema + f"ALTER TABLE {table} DROP COLUMN user_id;", base=files), "column-dropped"
    )
    assert {"internal/keys/keys.go:4", "internal/models/models.go:7"} <= _places(finding)
    assert not {"internal/keys/keys.go:8", "internal/models/models.go:13"} & _places(finding)
    dropped = _finding(review_sql(schema + f"DROP TABLE {table};", base=files), "table-dropped")
    assert {"internal/keys/keys.go:11", "internal/keys/keys.go:12"} <= _places(dropped)
    # Without the strategy the struct maps `api_keys`, not the prefixed table.
    del files["internal/db/db.go"]
    plain = _finding(review_sql(schema + f"DROP TABLE {table};", base=files), "table-dropped")
    assert "internal/keys/keys.go:11" not in _places(plain)


SEQUELIZE_OPEN = """const { Sequelize } = require('sequelize');

module.exports = new Sequelize(process.env.DATABASE_URL, {
  logging: false,
  define: { %s, timestamps: false },
});
"""
SEQUELIZE_GLOBAL_MODELS = """const { DataTypes } = require('sequelize');
const sequelize = require('../db');

const Human = sequelize.define('person', { nickname: DataTypes.STRING, label: DataTypes.STRING });
const Grant = sequelize.define('UserRole', { label: DataTypes.STRING });

module.exports = { Human, Grant };
"""
SEQUELIZE_GLOBAL_SERVICE = """const { Human, Grant } = require('../models');

async function labels() {
  const humans = await Human.findAll({ attributes: ['id', 'label'] });
  const grants = await Grant.findAll({ attributes: ['id', 'label'] });
  return [humans, grants];
}
"""


@pytest.mark.parametrize(
    ("option", "table", "line"),
    [
        ("freezeTableName: true", "person", 4),
        ("freezeTableName: true", "UserRole", 5),
        ("underscored: true", "user_roles", 5),
        ("underscored: true", "people", 4),
    ],
)
def test_the_define_options_of_new_sequelize_apply_to_every_model(option: str, table: str, line: int) -> None:
    schema = "".join(
        f'CREATE TABLE "{name}" (id bigint PRIMARY KEY, nickname text, label text);\n'
        for name in ("person", "people", "UserRole", "UserRoles", "user_roles")
    )
    files = {
        "src/db.js": SEQUELIZE_OPEN % option,
        "src/models/index.js": SEQUELIZE_GLOBAL_MODELS,
        "src/services/labels.js": SEQUELIZE_GLOBAL_SERVICE,
    }
    drop = f'ALTER TABLE "{table}" DROP COLUMN label;'
    places = _places(_finding(review_sql(schema + "-- migration\n" + drop, base=files), "column-dropped"))
    assert f"src/services/labels.js:{line}" in places
    assert f"src/services/labels.js:{9 - line}" not in places
