"""A review of MySQL, MariaDB or SQLite migrations, with each name written as the migrations write it.

The engine matches names folded to lower case; these databases keep a name as written (a MySQL table
`UserAccounts` is another table than `useraccounts` on Linux), so what the review shows and the SQL it hands out
(validation queries, rollback commands) take the migrations' own spelling back (see `bot.sql.spelling`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.model.findings import Review
from bot.model.migration import Migration
from bot.sql.spelling import DIALECTS, respell_sql, respell_text, written


def respelled(review: Review, migrations: Sequence[Migration]) -> Review:
    kept = [m for m in migrations if m.dialect in DIALECTS]
    names = written(op for m in kept for op in (*m.up, *(m.down or ())))
    if not names:
        return review
    dialect = kept[0].dialect

    def text(value: str) -> str:
        return respell_text(value, names)

    def sql(value: str) -> str:
        return respell_sql(value, names, dialect)

    return replace(
        review,
        findings=tuple(
            replace(f, message=text(f.message), blast_radius=text(f.blast_radius), fix=text(f.fix))
            for f in review.findings
        ),
        checklist=tuple(replace(c, text=text(c.text), detail=text(c.detail)) for c in review.checklist),
        verification_queries=tuple(
            replace(q, sql=sql(q.sql), purpose=text(q.purpose), expect=text(q.expect))
            for q in review.verification_queries
        ),
        rollback_plan=tuple(
            replace(s, text=text(s.text), command=sql(s.command)) for s in review.rollback_plan
        ),
        monitoring=tuple(
            replace(m, signal=text(m.signal), threshold=text(m.threshold)) for m in review.monitoring
        ),
        notes=tuple(text(n) for n in review.notes),
    )
