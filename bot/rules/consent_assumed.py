"""A consent flag (`marketing_opt_in`, `newsletter_subscribed`, `accepts_tracking`) added with the default
`true`: every existing user is recorded as having agreed to something nobody asked them.

## Why is this bad?
`ALTER TABLE users ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT true` writes `true` into every row the
table already has. None of those people ever saw the question: the column now says they opted in, the
newsletter job, the tracking pixel or the data export to a partner picks all of them up, and the record of
consent, which privacy law (GDPR, CAN-SPAM, ePrivacy) expects to be a real one, is false for every existing
row. Turning it back later cannot tell the few who really agreed from the rest.

## Use instead
Add the flag switched off for the rows that exist (`DEFAULT false`), and ask: a consent is recorded when the
person gives it, ideally with when and how (`marketing_opt_in_at timestamptz`). If new sign-ups are meant to
start opted in (where the law allows), add the column with `DEFAULT false` and then `ALTER COLUMN … SET DEFAULT
true` for the rows inserted from now on.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.references.inflection import name_words
from bot.rules._backfill import emptied_before, filled_later
from bot.rules._flags import TRUE, added_flags
from bot.rules.context import Context

RULE = Rule(
    id="consent-assumed",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Add the consent flag switched off for existing rows (`DEFAULT false`); record consent when it is given.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n-- migration\n"
        "ALTER TABLE users ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT true;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n-- migration\n"
        "ALTER TABLE users ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT false;",
    ),
)

# words that make a flag a person's consent on their own ...
_CONSENT = {"consent", "consented", "consents", "optin", "gdpr"}
# ... and a subject (marketing, the newsletter, tracking, sharing data) with a word of agreeing to it
_SUBJECTS = {
    "marketing": {
        "emails",
        "email",
        "opt",
        "accepts",
        "accept",
        "allow",
        "allowed",
        "subscribed",
        "communications",
    },
    "newsletter": {"subscribed", "subscribe", "opt", "receive", "receives", "wants", "accepts"},
    "tracking": {"allow", "allows", "allowed", "accepts", "accept", "opt"},
    "promotional": {"emails", "email", "messages"},
    "data": {"share", "sharing", "shared"},
}


def is_consent(name: str) -> bool:
    """Does the column's name say it records a person's consent (`marketing_opt_in`, `newsletterSubscribed`,
    `gdpr_consent`, `allow_tracking`)? A word of the subject alone (`is_marketing`, `newsletter`) is not."""
    words = name_words(name)
    if any(w in _CONSENT for w in words) or {("opt", "in"), ("opted", "in")} & set(itertools.pairwise(words)):
        return True
    return any(subject in words and agreeing & set(words) for subject, agreeing in _SUBJECTS.items())


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in added_flags(migration, context):
        column, default = op.column, op.column.default or ""
        if default.strip().lower() not in TRUE or not is_consent(column.name):
            continue
        if filled_later(migration, op, op.table, column.name, context.later()) or emptied_before(
            migration, op, op.table
        ):
            continue
        yield op.finding(
            RULE,
            f"`{op.table}.{column.name}` is added with the default `{default}`: every row `{op.table}` "
            "already has is recorded as having agreed, though none of them was ever asked.",
            blast_radius=f"Every existing row of {context.size_words(op.table)}: jobs that send, track or share by "
            f"`WHERE {column.name}` take all of them from the deploy on, and the record of consent is false for "
            "each of them.",
            fix=f"Add the column with `DEFAULT false` for the rows that exist; if new rows should start opted in, "
            f"`ALTER TABLE {op.table} ALTER COLUMN {column.name} SET DEFAULT {default}` after it.",
        )
