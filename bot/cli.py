"""migration-review review | lint | rules | explain RULE | demo (and serve | worker for the app)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import DEFAULT_GC, __version__, rules
from bot.app import server
from bot.local import lintset
from bot.local.git import GitError, changeset_from_git
from bot.model.changeset import ChangeSet
from bot.model.config import DEFAULT_PATH, Config, ConfigError, load_config, parse_config
from bot.model.facts import Facts
from bot.model.findings import Review
from bot.review import Prepared, prepare, review

if TYPE_CHECKING:
    from bot.shadow.run import Limits

FORMATS = ("text", "markdown", "json", "sarif")

# Exit statuses, documented in `--help` and the README: CI tells a verdict from a failure by them.
APPROVED, BLOCKED, USAGE_ERROR, INTERNAL_ERROR = 0, 1, 2, 3
EPILOG = """exit status:
  0  APPROVED (or BLOCKED with --exit-zero)
  1  BLOCKED: a critical finding stands or required evidence is missing
  2  usage or configuration error (one line on stderr names it)
  3  internal error (one line on stderr; the traceback is in the log file it names, or on stderr with --debug)
"""

EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [server.register]  # type: ignore[type-arg]


_SHADOW_FLAGS = {
    "timeout_seconds": "--shadow-timeout",
    "statement_timeout_seconds": "--shadow-statement-timeout",
    "rows_per_table": "--shadow-rows",
    "max_rows_per_table": "--shadow-max-rows",
}


class UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    code = _main(argv)
    if argv is None:
        # Run as the program (`migration-review …`, `python -m bot`): the process ends next, and
        # Python's exit collects every object the run built, one by one (0.2-0.4 s after a lint of 300
        # files, longer than the JSON output took). Frozen objects are left to the exit itself. A call
        # with arguments (a test, an embedding program) keeps its objects collectable.
        gc.freeze()
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in ("serve", "worker"):
        gc.set_threshold(*DEFAULT_GC)
    if not getattr(args, "handler", None):
        parser.print_help()
        return USAGE_ERROR
    try:
        code: int = args.handler(args)
    except (ConfigError, UsageError, GitError, lintset.LintInputError) as error:
        print(f"migration-review: {error}", file=sys.stderr)
        return USAGE_ERROR
    except Exception as error:  # a bug of ours: never the status of a verdict
        _report_crash(error, debug=getattr(args, "debug", False))
        return INTERNAL_ERROR
    return code


def _report_crash(error: Exception, *, debug: bool) -> None:
    """One line on stderr; the traceback in a log file that line names (on stderr itself with --debug)."""
    details = "".join(traceback.format_exception(error))
    summary = f"migration-review: internal error ({type(error).__name__}: {error})".splitlines()[0]
    if debug:
        sys.stderr.write(details)
        print(summary, file=sys.stderr)
        return
    handle, log = tempfile.mkstemp(prefix="migration-review-", suffix=".log")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(f"migration-review {__version__}\n{' '.join(sys.argv)}\n\n{details}")
    print(f"{summary}; the traceback is in {log} (please attach it to a bug report)", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migration-review",
        description="Review database migrations before they ship.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"migration-review {__version__}")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    sub = parser.add_subparsers(dest="command")

    r = sub.add_parser(
        "review",
        help="review the migrations changed between two commits",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument(
        "--repo", type=Path, default=Path.cwd(), help="the git repository (default: current directory)"
    )
    r.add_argument("--base", help="base commit (default: merge-base of HEAD with the default branch)")
    r.add_argument("--head", default="HEAD", help="head commit (default: HEAD)")
    r.add_argument("--description", type=Path, help="a file with the pull request's description (evidence)")
    _common(r)
    r.set_defaults(handler=_review)

    lint = sub.add_parser(
        "lint",
        help="run the rules on migration files or directories given directly, without git",
        description="Lint migration files, or the migrations under directories (recursively), as an editor "
        "or a pre-commit hook does. The repository configuration is read from the nearest "
        f"{DEFAULT_PATH} above the files unless --config names one. Down files are read as the way back "
        "of their up migration, never linted as migrations of their own.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lint.add_argument("files", nargs="+", type=Path, metavar="PATH", help="a migration file or a directory")
    _common(lint)
    lint.set_defaults(handler=_lint)

    listing = sub.add_parser("rules", help="list every rule")
    listing.set_defaults(handler=_rules)
    explain = sub.add_parser("explain", help="print a rule's page")
    explain.add_argument("rule")
    explain.set_defaults(handler=_explain)

    demo = sub.add_parser("demo", help="review the bundled example repository")
    demo.add_argument("--format", choices=FORMATS, default="text")
    demo.add_argument("--example", default="shop")
    demo.set_defaults(handler=_demo)
    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument(
        "--config",
        type=Path,
        help=f"configuration file (default: {DEFAULT_PATH}; review reads it on the base side, lint from the "
        "repository the files are in)",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print the traceback of an internal error",
    )
    p.add_argument("--dialect", choices=["postgres", "mysql", "mariadb", "sqlite"])
    p.add_argument("--select", help="only these rules (comma-separated ids)")
    p.add_argument("--ignore", help="skip these rules (comma-separated ids)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when the review is BLOCKED")
    p.add_argument("--output", type=Path, help="write the report to this file instead of standard output")
    p.add_argument(
        "--probe-dsn",
        metavar="DSN",
        help="verify against this database, read-only (postgresql://… or mysql://…); see docs/probe.md",
    )
    p.add_argument(
        "--shadow-dsn",
        metavar="DSN",
        help="run the change up, down and up again on a scratch database created (and dropped) on this "
        "server (postgresql://… or mysql://…); never the probe's server; see docs/shadow.md",
    )
    p.add_argument(
        "--shadow",
        action="store_true",
        help="as --shadow-dsn, on an embedded PostgreSQL started for the run (migration-review[embedded])",
    )
    for key, what in (
        ("timeout_seconds", "seconds for the whole shadow run (default 300)"),
        ("statement_timeout_seconds", "seconds for one statement of it (default 60)"),
        ("rows_per_table", "synthetic rows per table without the probe (default 40)"),
        ("max_rows_per_table", "synthetic rows per table at most (default 10000)"),
    ):
        p.add_argument(
            _SHADOW_FLAGS[key], metavar="N", dest=f"shadow_{key}", help=f"{what}; the repository may lower it"
        )
    p.add_argument(
        "--probe-config",
        type=Path,
        metavar="FILE",
        help="probe connections and policy (the PROBE_CONFIG format)",
    )


def _config(args: argparse.Namespace, text: str | None) -> Config:
    if args.config is not None:
        config = load_config(args.config, rules.ALL_IDS)
    elif text is not None:
        config = parse_config(text, DEFAULT_PATH, rules.ALL_IDS)
    else:
        config = Config()
    updates: dict[str, Any] = {}
    for key in ("select", "ignore"):
        value = getattr(args, key, None)
        if value:
            ids = [part.strip() for part in value.split(",") if part.strip()]
            unknown = [i for i in ids if i not in rules.ALL_IDS]
            if unknown:
                raise UsageError(f"--{key}: unknown rule {unknown[0]!r} (see `migration-review rules`)")
            updates[key] = tuple(ids)
    if updates:
        config = replace(config, rules=replace(config.rules, **updates))
    return config


def _render(result: Review, output_format: str, *, color: bool, sources: Mapping[str, str]) -> str:
    # Imported on use: a JSON run need not load jinja2 or rich.
    if output_format == "text":
        from bot.render.terminal import render_text

        return render_text(result, color=color)
    from bot.render import formats as render

    if output_format == "sarif":
        return render.to_sarif(result, sources)
    formats: dict[str, Callable[[Review], str]] = {
        "markdown": render.render_comment,
        "json": render.to_json,
    }
    return formats[output_format](result)


def _emit(args: argparse.Namespace, result: Review, changeset: ChangeSet | None = None) -> int:
    sources = {f.path: f.head_text for f in changeset.files if f.head_text is not None} if changeset else {}
    color = args.output is None and sys.stdout.isatty()
    text = _render(result, args.format, color=color, sources=sources)
    if getattr(args, "output", None) is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()  # a write that fails is an error of this run, not a verdict
    if result.approval == "BLOCKED" and not getattr(args, "exit_zero", False):
        return BLOCKED
    return APPROVED


def _review(args: argparse.Namespace) -> int:
    description = args.description.read_text(encoding="utf-8") if args.description else ""
    changeset = changeset_from_git(args.repo, args.base, args.head, description=description)
    config = _config(args, changeset.config_text)
    prepared = prepare(changeset, config=config, dialect=args.dialect)
    facts = _probe(args, changeset, config, prepared, lint=False)
    result = review(changeset, prepared=prepared, facts=facts)
    return _emit(args, _shadow(args, changeset, prepared, facts, result), changeset)


def _lint(args: argparse.Namespace) -> int:
    given = lintset.gather(args.files)
    if args.config is None and given.config_file is not None:
        args.config = given.config_file
    config = _config(args, None)
    changeset = lintset.changeset(given, config)
    prepared = prepare(changeset, config=config, dialect=args.dialect, lint=True)
    facts = _probe(args, changeset, config, prepared, lint=True)
    result = review(changeset, lint=True, prepared=prepared, facts=facts)
    return _emit(args, _shadow(args, changeset, prepared, facts, result), changeset)


def _probe(
    args: argparse.Namespace, changeset: ChangeSet, config: Config | None, prepared: Prepared, *, lint: bool
) -> Facts | None:
    """Facts from the production probe when --probe-dsn or --probe-config names a database, else None."""
    if not args.probe_dsn and args.probe_config is None:
        return None
    from bot.probe.policy import ProbeConfigError, load_probe_config, target_for_dsn
    from bot.production import verify

    try:
        targets = load_probe_config(args.probe_config).targets if args.probe_config else ()
        if args.probe_dsn:
            policy = targets[0][1].policy if targets else None
            target = target_for_dsn(args.probe_dsn, policy)
        elif not targets:
            raise UsageError(f"{args.probe_config}: no repositories configured")
        else:
            target = targets[0][1]
    except ProbeConfigError as error:
        raise UsageError(str(error)) from error
    return verify(changeset, target, config=config, dialect=args.dialect, lint=lint, prepared=prepared)


def _shadow(
    args: argparse.Namespace, changeset: ChangeSet, prepared: Prepared, facts: Facts | None, result: Review
) -> Review:
    """The review with what a shadow run observed, when --shadow-dsn or --shadow asks for one."""
    dsn = getattr(args, "shadow_dsn", None) or ("embedded" if getattr(args, "shadow", False) else "")
    if not dsn:
        return result
    from bot.shadow.evidence import with_shadow
    from bot.shadow.target import ShadowConfigError

    probes = [args.probe_dsn or ""]
    if args.probe_config is not None:
        from bot.probe.policy import load_probe_config

        probes += [target.dsn for _, target in load_probe_config(args.probe_config).targets]
    try:
        return with_shadow(
            changeset,
            result,
            dsn,
            probe_dsns=probes,
            prepared=prepared,
            facts=facts,
            dialect=args.dialect,
            limits=_shadow_limits(args),
        )
    except ShadowConfigError as error:
        raise UsageError(str(error)) from error


def _shadow_limits(args: argparse.Namespace) -> Limits:
    """The shadow run's limits given on the command line (the defaults for the others)."""
    from bot.model.config import SHADOW_BOUNDS, shadow_bound_error
    from bot.shadow.run import Limits

    given: dict[str, float] = {}
    for key in SHADOW_BOUNDS:
        text = getattr(args, f"shadow_{key}", None)
        if text is None:
            continue
        flag = _SHADOW_FLAGS[key]
        seconds = key.endswith("seconds")
        try:
            value = float(text) if seconds else int(text)
        except ValueError:
            kind = "a number" if seconds else "a whole number"
            raise UsageError(f"{flag}: {text!r} is not {kind}") from None
        if problem := shadow_bound_error(key, value):
            raise UsageError(f"{flag}: {problem}")
        given[key] = value
    defaults = Limits()
    return Limits(
        seconds=given.get("timeout_seconds", defaults.seconds),
        statement_ms=int(given.get("statement_timeout_seconds", defaults.statement_ms / 1000) * 1000),
        rows_per_table=int(given.get("rows_per_table", defaults.rows_per_table)),
        max_rows_per_table=int(given.get("max_rows_per_table", defaults.max_rows_per_table)),
    )


def _rules(args: argparse.Namespace) -> int:
    width = max(len(m.RULE.id) for m in rules.RULES)
    for module in rules.RULES:
        rule = module.RULE
        print(f"{rule.id:<{width}}  {rule.dimension.value:<18} {rule.severity.value:<8}  {rule.help}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from bot.render.docs import rule_page

    if args.rule not in rules.BY_ID:
        raise UsageError(f"unknown rule {args.rule!r} (see `migration-review rules`)")
    print(rule_page(rules.BY_ID[args.rule]), end="")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.local.examples import demo_changeset

    changeset = demo_changeset(args.example)
    result = review(changeset)
    args.output, args.exit_zero = None, True
    return _emit(args, result)


if __name__ == "__main__":
    raise SystemExit(main())
