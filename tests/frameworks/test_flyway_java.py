"""Flyway migrations written in Java or Kotlin are named as migrations the review cannot read, never passed over
(they were approved as if the change had no migration)."""

from __future__ import annotations

import pytest

from bot.frameworks import detect
from bot.model.config import Config
from tests.conftest import review_sql

JAVA = (
    "package db.migration;\n\nimport org.flywaydb.core.api.migration.BaseJavaMigration;\n"
    "import org.flywaydb.core.api.migration.Context;\nimport java.sql.Statement;\n\n"
    "public class {name} extends BaseJavaMigration {{\n{extra}"
    "    public void migrate(Context context) throws Exception {{\n"
    "        try (Statement update = context.getConnection().createStatement()) {{\n"
    "            update.execute(\"UPDATE {table} SET note = '' WHERE note IS NULL\");\n        }}\n    }}\n}}\n"
)
KOTLIN = (
    "package db.migration\n\nimport org.flywaydb.core.api.migration.BaseJavaMigration\n"
    "import org.flywaydb.core.api.migration.Context\n\n"
    "class {name} : BaseJavaMigration() {{\n{extra}"
    "    override fun migrate(context: Context) {{\n"
    '        context.connection.createStatement().use {{ it.execute("DELETE FROM {table} WHERE archived") }}\n'
    "    }}\n}}\n"
)
OUTSIDE = {
    JAVA: "    @Override\n    public boolean canExecuteInTransaction() {\n        return false;\n    }\n\n",
    KOTLIN: "    override fun canExecuteInTransaction(): Boolean = false\n\n",
}
CASES = [
    (JAVA, "src/main/java/db/migration/V3__Backfill_notes.java", "V3__Backfill_notes", "orders"),
    (KOTLIN, "src/main/kotlin/db/migration/V2_1__Purge_archived.kt", "V2_1__Purge_archived", "events"),
]


@pytest.mark.parametrize(("template", "path", "name", "table"), CASES)
def test_a_java_or_kotlin_migration_blocks_until_read_by_hand(
    template: str, path: str, name: str, table: str
) -> None:
    result = review_sql(template.format(name=name, table=table, extra=""), path=path)
    [migration] = result.migrations
    assert migration.framework == "flyway_java" and migration.in_transaction
    [finding] = [f for f in result.active if f.rule == "unreadable-migration"]
    assert "written in Java or Kotlin" in finding.message and result.approval == "BLOCKED"
    outside = review_sql(template.format(name=name, table=table, extra=OUTSIDE[template]), path=path)
    assert not outside.migrations[0].in_transaction


@pytest.mark.parametrize(("template", "path", "name", "table"), CASES)
def test_other_classes_are_no_migrations(template: str, path: str, name: str, table: str) -> None:
    text = template.format(name=name, table=table, extra="")
    assert detect(path, text, Config()) is not None
    folder = path.rsplit("/", 1)[0]
    assert detect(f"{folder}/OrderService.{path.rsplit('.', 1)[1]}", text, Config()) is None
    plain = text.replace("BaseJavaMigration", "Runnable")
    assert detect(path, plain, Config()) is None
