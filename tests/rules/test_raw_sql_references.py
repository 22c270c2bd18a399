"""SQL in code strings read as SQL: a query that really selects or writes the column of that table is a
raw-SQL reference; a string that merely contains the word (a constant, an output alias, the same-named
column of another table) is not."""

from __future__ import annotations

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

SCHEMA = """
CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status text, total int, customer_id bigint, note text);
CREATE TABLE customers (id bigint PRIMARY KEY, name text, legacy_status text);
-- migration
"""
DROP = "ALTER TABLE orders DROP COLUMN legacy_status;"

PYTHON = '''def report(cursor, since):
    cursor.execute("SELECT o.id, o.legacy_status FROM orders o WHERE o.created_at > %s", [since])
    cursor.execute("SELECT c.legacy_status FROM customers c JOIN orders o ON o.customer_id = c.id")
    cursor.execute("SELECT id FROM orders WHERE note = 'legacy_status'")
    cursor.execute("UPDATE orders SET legacy_status = %(s)s WHERE id = %(id)s", {})
    sql = """
        SELECT legacy_status, name
        FROM customers
        WHERE id = %s
    """
'''
RUBY = """class Order < ApplicationRecord
  def self.stale(min_id)
    find_by_sql(<<~SQL)
      SELECT orders.* FROM orders
      WHERE orders.legacy_status = 'old' AND id > #{min_id}
    SQL
  end
end
"""
TYPESCRIPT = """export async function sync(db, id) {
  await db.query(`
    SELECT o.id AS legacy_status
    FROM orders o
  `);
  await db.query(`SELECT legacy_status FROM orders WHERE id = ${id}`);
}
"""
GO = """package store

const byID = `SELECT id, legacy_status FROM orders WHERE id = $1`
const byStatus = "SELECT name FROM customers WHERE legacy_status = ?"
"""
JAVA = """class OrderDao {
  static final String STALE = \"\"\"
      SELECT count(*) FROM orders WHERE legacy_status IS NULL
      \"\"\";
  static final String NAMES = "SELECT legacy_status FROM customers";
}
"""
QUERIES = """-- name: StaleOrders :many
SELECT id FROM orders WHERE legacy_status = 'old';

-- name: CustomerStatus :one
SELECT legacy_status FROM customers WHERE id = $1;
"""


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> dict[str, str]:
    return {f"{r.path}:{r.line}": r.kind for r in finding.references}


def test_queries_that_select_or_write_the_column_are_raw_sql_references() -> None:
    files = {
        "app/services/report.py": PYTHON,
        "app/models/order.rb": RUBY,
        "src/jobs/sync.ts": TYPESCRIPT,
        "internal/store/orders.go": GO,
        "src/main/java/shop/OrderDao.java": JAVA,
        "queries/orders.sql": QUERIES,
    }
    finding = _finding(review_sql(SCHEMA + DROP, base=files), "column-dropped")
    assert _places(finding) == {
        "app/services/report.py:2": "raw-sql",  # o.legacy_status with FROM orders o
        "app/services/report.py:5": "raw-sql",  # UPDATE … SET
        "app/models/order.rb:5": "raw-sql",  # a heredoc with an interpolation
        "src/jobs/sync.ts:6": "job",  # a template literal, in a background job
        "internal/store/orders.go:3": "raw-sql",  # a Go raw string
        "src/main/java/shop/OrderDao.java:3": "raw-sql",  # a Java text block
        "queries/orders.sql:2": "raw-sql",  # a query file (sqlc)
    }
    assert finding.severity is Severity.CRITICAL


def test_a_word_in_a_constant_an_alias_or_another_tables_column_is_not_a_reference() -> None:
    # Each of these strings parses as SQL and names `legacy_status`, but never as orders' column.
    files = {
        "app/services/report.py": PYTHON.replace(
            '    cursor.execute("SELECT o.id, o.legacy_status FROM orders o WHERE o.created_at > %s", [since])\n',
            "",
        ).replace(
            '    cursor.execute("UPDATE orders SET legacy_status = %(s)s WHERE id = %(id)s", {})\n', ""
        ),
        "src/jobs/sync.ts": TYPESCRIPT.replace(
            "  await db.query(`SELECT legacy_status FROM orders WHERE id = ${id}`);\n", ""
        ),
        "internal/store/orders.go": GO.replace(
            "const byID = `SELECT id, legacy_status FROM orders WHERE id = $1`\n", ""
        ),
        "queries/orders.sql": QUERIES.replace("SELECT id FROM orders WHERE legacy_status = 'old';", ""),
    }
    finding = _finding(review_sql(SCHEMA + DROP, base=files), "column-dropped")
    assert finding.references == ()
    assert finding.severity is not Severity.CRITICAL


def test_a_dropped_table_named_in_a_string_constant_is_not_a_reference() -> None:
    code = (
        "def audit(cursor):\n"
        "    cursor.execute(\"INSERT INTO audit_log (kind) VALUES ('customers')\")\n"
        '    cursor.execute("SELECT count(*) FROM customers")\n'
    )
    finding = _finding(
        review_sql(SCHEMA + "DROP TABLE customers;", base={"app/audit.py": code}), "table-dropped"
    )
    assert _places(finding) == {"app/audit.py:3": "raw-sql"}


def test_a_renamed_column_in_sql_that_already_names_the_new_column_is_ready() -> None:
    code = (
        'QUERY = "SELECT o.status FROM orders o JOIN customers c ON c.id = o.customer_id"\n'
        'NAMES = "SELECT c.name AS status FROM customers c"\n'
    )
    result = review_sql(
        SCHEMA + "ALTER TABLE orders RENAME COLUMN legacy_status TO status;", base={"app/q.py": code}
    )
    finding = _finding(result, "column-renamed")
    assert "1 place already uses `status`" in finding.blast_radius


def test_sql_that_does_not_parse_keeps_the_word_search() -> None:
    code = 'STALE = ("SELECT id FROM orders "\n         "WHERE legacy_status = \'old\'")\n'
    finding = _finding(review_sql(SCHEMA + DROP, base={"app/q.py": code}), "column-dropped")
    assert _places(finding) == {"app/q.py:2": "raw-sql"}
