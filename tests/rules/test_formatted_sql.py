"""SQL a program formats or assembles is read as SQL: `str.format`, `%`, f-strings with expressions, Go's
`fmt.Sprintf`, Java's and Kotlin's `String.format` and string templates, a joined list of pieces
(`" ".join([…])`, `strings.Join`) and a `StringBuilder`'s appends. A placeholder stands for a value, or for a
table where one goes (`FROM {}`), so that the statement still parses; a query about another table is not a
reference, and a table the code chooses leaves the column's owner open."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

NAMES = [("orders", "customers", "legacy_status"), ("invoices", "vendors", "memo_text")]


def _schema(table: str, other: str, column: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, total_cents int, note text);\n"
        f"CREATE TABLE {other} (id bigint PRIMARY KEY, name text, {column} text);\n"
        "-- migration\n"
    )


PYTHON = """def report(cursor, since, cols):
    cursor.execute("SELECT {column} FROM {table} WHERE id IN ({{ids}})".format(ids=",".join(cols)))
    cursor.execute("SELECT {column} FROM {table} WHERE id = %d AND note LIKE '%%x'" % since)
    cursor.execute(f"SELECT {{', '.join(cols)}}, {column} FROM {table} WHERE id = {{since[0]}}")
    cursor.execute(" ".join(["SELECT {column}", "FROM {table}", "WHERE id = %s"]), [since])
    cursor.execute("SELECT {column} FROM {other} WHERE id = {{}}".format(since))
    cursor.execute(f"SELECT {column} FROM {{schema}}.{other} WHERE id = {{since[0]}}")
    cursor.execute(" ".join(["SELECT {column}", "FROM {other}", "WHERE id = %s"]), [since])
"""
GO = """package store

func byID(id int) string {{
	return fmt.Sprintf("SELECT {column} FROM {table} WHERE id = %v AND note = %q", id, "x")
}}

func joined() string {{
	return strings.Join([]string{{"SELECT {column}", "FROM {table}", "WHERE id = $1"}}, " ")
}}

func other(id int) string {{
	return fmt.Sprintf("SELECT {column} FROM {other} WHERE id = %[1]d", id)
}}
"""
JAVA = """class Dao {{
  String stale(long id) {{
    return String.format("SELECT {column} FROM {table} WHERE id = %d", id);
  }}
  String built(long id) {{
    StringBuilder sb = new StringBuilder();
    sb.append("SELECT {column} ")
      .append("FROM {table} ")
      .append("WHERE id = ").append(id);
    return sb.toString();
  }}
  String other(long id) {{
    StringBuilder sb = new StringBuilder(64);
    sb.append("SELECT {column} ");
    sb.append("FROM {other} WHERE id = " + id);
    return sb.toString();
  }}
}}
"""
KOTLIN = """class Repo {{
    fun stale(id: Long) = jdbc.query("SELECT {column} FROM {table} WHERE id = $id")
    fun other(id: Long) = jdbc.query("SELECT {column} FROM {other} WHERE id = $id")
}}
"""
CHOSEN = """def any_table(cursor, table, since):
    cursor.execute("SELECT total_cents FROM {{}} WHERE id > {{}}".format(table, since))
"""


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> dict[str, str]:
    return {f"{r.path}:{r.line}": r.kind for r in finding.references}


def _files(table: str, other: str, column: str) -> dict[str, str]:
    names = {"table": table, "other": other, "column": column}
    return {
        "app/report.py": PYTHON.format(**names),
        "internal/store/q.go": GO.format(**names),
        "src/main/java/Dao.java": JAVA.format(**names),
        "src/main/kotlin/Repo.kt": KOTLIN.format(**names),
    }


@pytest.mark.parametrize(("table", "other", "column"), NAMES)
def test_formatted_and_assembled_queries_of_the_table_are_raw_sql_references(
    table: str, other: str, column: str
) -> None:
    drop = f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _finding(
        review_sql(_schema(table, other, column) + drop, base=_files(table, other, column)), "column-dropped"
    )
    assert _places(finding) == {
        "app/report.py:2": "raw-sql",  # .format(ids=…)
        "app/report.py:3": "raw-sql",  # % with %% in a LIKE
        "app/report.py:4": "raw-sql",  # f-string with a call and a subscript
        "app/report.py:5": "raw-sql",  # " ".join([...])
        "internal/store/q.go:4": "raw-sql",  # fmt.Sprintf with %v and %q
        "internal/store/q.go:8": "raw-sql",  # strings.Join
        "src/main/java/Dao.java:3": "raw-sql",  # String.format
        "src/main/java/Dao.java:7": "raw-sql",  # a StringBuilder chain
        "src/main/kotlin/Repo.kt:2": "raw-sql",  # a string template
    }


@pytest.mark.parametrize(("table", "other", "column"), NAMES)
def test_formatted_queries_of_another_table_are_not_references(table: str, other: str, column: str) -> None:
    # Every query left names the other table's same-named column.
    files = {
        path: "\n".join(
            line for line in text.splitlines() if f"FROM {table}" not in line and f'"FROM {table}' not in line
        )
        for path, text in _files(table, other, column).items()
    }
    files["src/main/java/Dao.java"] = JAVA.format(table=other, other=other, column=column)
    drop = f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _finding(review_sql(_schema(table, other, column) + drop, base=files), "column-dropped")
    assert finding.references == ()


@pytest.mark.parametrize(("table", "other", "column"), NAMES)
def test_a_table_the_code_chooses_leaves_the_column_to_the_word_search(
    table: str, other: str, column: str
) -> None:
    # `total_cents` is a column of the target's table alone: a query of a table the code picks may read it.
    drop = f"ALTER TABLE {table} DROP COLUMN total_cents;"
    code = CHOSEN.format(column=column)
    finding = _finding(
        review_sql(_schema(table, other, column) + drop, base={"app/any.py": code}), "column-dropped"
    )
    assert "app/any.py:2" in _places(finding)


SCRIPT = """export async function stale(db, since) {{
  const sql = ["SELECT {column}", "FROM {table}", "WHERE id > $1"].join(" ");
  const rows = await db.query(["SELECT {column}", "FROM {table}"].join(" "));
  return [await db.query(sql, [since]), rows];
}}

export function latest() {{
  return ["SELECT {column}", "FROM {table}", "ORDER BY id DESC"].join("\\n");
}}

export async function others(db) {{
  const sql = ["SELECT {column}", "FROM {other}"].join(" ");
  return await ["SELECT {column}", "FROM {other}", "LIMIT 1"].join(" ");
}}
"""


@pytest.mark.parametrize(("table", "other", "column"), NAMES)
def test_a_script_s_joined_list_is_read_as_one_statement(table: str, other: str, column: str) -> None:
    """`[…].join(" ")` after `=`, `(`, `return` or `await`: its pieces are one statement, which names the
    dropped column of the table (raw SQL) or the same-named column of another table (no reference)."""
    drop = f"ALTER TABLE {table} DROP COLUMN {column};"
    code = SCRIPT.format(table=table, other=other, column=column)
    finding = _finding(
        review_sql(_schema(table, other, column) + drop, base={"src/report.ts": code}), "column-dropped"
    )
    assert _places(finding) == {
        "src/report.ts:2": "raw-sql",
        "src/report.ts:3": "raw-sql",
        "src/report.ts:8": "raw-sql",
    }
