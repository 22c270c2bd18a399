r"""The attribute a model gives a column under another name: code reads the attribute, not the column name.

`status String @map("legacy_status")` (Prisma), `status: { type: …, field: 'legacy_status' }` (Sequelize),
`@Column({ name: 'legacy_status' }) status` (TypeORM), `@Column(name = "legacy_status") String status`
(JPA), `field :status, :string, source: :legacy_status` (Ecto), `Status string \`db:"legacy_status"\``
(sqlx, GORM `column:`, bun), `status = models.CharField(db_column="legacy_status")` (Django),
`status = Column("legacy_status", …)` (SQLAlchemy) and `alias_attribute :status, :legacy_status` (Rails):
when `legacy_status` goes away, `order.status` breaks. Only names the model file declares are read.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

_ARGS = r"(?:[^()]|\([^()]*\))*?"  # call arguments, one level of parentheses inside
_PATTERNS = (
    # Prisma: a field line with @map("col")
    r"^[ \t]*(\w+)[ \t]+[\w\[\]?]+[^\n]*@map\(\s*(?:name:\s*)?\"{col}\"\s*\)",
    # Sequelize: attribute: {{ …, field: 'col' }}
    r"(\w+)\s*:\s*\{{[^{{}}]*?\bfield\s*:\s*['\"]{col}['\"]",
    # TypeORM / MikroORM: @Column({{ name: 'col' }}) attribute
    r"@(?:Column|Property|PrimaryColumn|ManyToOne|JoinColumn)\(" + _ARGS + r"\bname\s*:\s*['\"]{col}['\"]"
    r""
    + _ARGS
    + r"\)\s*(?:@\w+(?:\("
    + _ARGS
    + r"\))?\s*)*(?:(?:readonly|public|private|protected)\s+)*(\w+)[?!]?\s*:",
    # JPA / Hibernate: @Column(name = "col") Type attribute;
    r"@(?:Column|JoinColumn)\(" + _ARGS + r"\bname\s*=\s*\"(?i:{col})\"" + _ARGS + r"\)\s*"
    r"(?:@\w+(?:\(" + _ARGS + r"\))?\s*)*(?:(?:private|protected|public|final|static|transient)\s+)*"
    r"[\w<>\[\],.? ]+?\s+(\w+)\s*[;=]",
    # Doctrine: #[ORM\Column(name: 'col')] / @ORM\Column(name="col") then the property $attribute
    r"ORM\\(?:Column|JoinColumn)\("
    + _ARGS
    + r"\bname\s*[:=]\s*['\"]`?{col}`?['\"]"
    + _ARGS
    + r"\)[^$;{{}}]*?\$(\w+)",
    # Doctrine's XML mapping: <field name="attribute" column="col" …/>
    r"<field\b[^>]*?\bname=\"(\w+)\"[^>]*?\bcolumn=\"`?{col}`?\"",
    # Ecto: field :attribute, :type, source: :col
    r"\bfield\s+:(\w+)\s*,[^\n]*\bsource:\s*:\"?{col}\"?(?!\w)",
    # Go struct tags: Attribute Type `db:"col"` / `gorm:"column:col"` / `bun:"col"`
    r"^[ \t]*(\w+)[ \t]+[\w.*\[\]]+[ \t]+`[^`\n]*(?:\b(?:db|bun|sql|pg|json_db):\"{col}[\",]"
    r"|\bgorm:\"[^\"]*\bcolumn:{col}(?![\w]))",
    # Django: attribute = models.XField(…, db_column="col")
    r"^[ \t]*(\w+)\s*=\s*[\w.]+\(" + _ARGS + r"\bdb_column\s*=\s*['\"]{col}['\"]",
    # SQLAlchemy: attribute = Column("col", …) / mapped_column("col", …)
    r"^[ \t]*(\w+)\s*(?::\s*Mapped\[[^\]\n]*\])?\s*=\s*(?:\w+\.)?(?:Column|mapped_column)\(\s*['\"]{col}['\"]",
    # Rails: alias_attribute :attribute, :col
    r"\balias_attribute\s+:(\w+)\s*,\s*:{col}\b",
)


@lru_cache(maxsize=256)
def _compiled(column: str) -> re.Pattern[str]:
    col = re.escape(column)
    return re.compile("|".join(f"(?:{p.format(col=col)})" for p in _PATTERNS), re.M)


_OWNER = re.compile(r"^[ \t]*(?:export[ \t]+)?(?:class|model)[ \t]+(\w+)", re.M)


def aliases(text: str, column: str, models: Collection[str] = ()) -> list[tuple[str, int]]:
    """(attribute, line) of each attribute of a model file that maps `column` under another name; with
    `models`, only in those classes (a Prisma schema holds every model: `Share.id @map("share_id")` is
    not `Website`'s)."""
    found: list[tuple[str, int]] = []
    if column.lower() not in text.lower():  # every declaration spells the column's name
        return found
    owners = [(m.start(), m.group(1)) for m in _OWNER.finditer(text)] if models else []
    for match in _compiled(column).finditer(text):
        owner = next((name for start, name in reversed(owners) if start < match.start()), "")
        if owner and owner not in models:
            continue
        attribute = next((g for g in match.groups() if g), "")
        if attribute and attribute.lower() != column.lower().replace("_", ""):
            found.append((attribute, text.count("\n", 0, match.start()) + 1))
    return found
