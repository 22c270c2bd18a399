"""Rule pages, generated from each rule module's docstring and examples: `python -m bot.render.docs` writes docs/rules/."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

from bot import rules
from bot.render.formats import fence


def rule_page(module: ModuleType) -> str:
    rule = module.RULE
    language = "python" if getattr(module, "EXAMPLE_PATH", "").endswith(".py") else "sql"
    doc = (module.__doc__ or "").strip()
    # the summary is the docstring's first paragraph, however many lines it is wrapped over
    summary, _, body = doc.partition("\n\n")
    lines = [
        f"# {rule.id}",
        "",
        f"**{' '.join(summary.split())}**",
        "",
        f"Dimension: `{rule.dimension.value}` · default severity: `{rule.severity.value}`"
        + (f" · dialects: {', '.join(rule.dialects)}" if rule.dialects else ""),
        "",
        body.strip(),
        "",
        "## Example",
        "",
        *[fence(example, language) + "\n" for example in rule.bad],
        "## Instead",
        "",
        *[fence(example, language) + "\n" for example in rule.good],
        *_framework_section(rule.framework_help),
        "## Suppressing",
        "",
        f"`-- migration-review: ignore {rule.id} <why the risk is acceptable>` on the line before the statement,",
        f"or `rules: {{ignore: [{rule.id}]}}` in `.github/migration-review.yml`.",
        "",
    ]
    return "\n".join(lines)


def _framework_section(pairs: tuple[tuple[str, str], ...]) -> list[str]:
    if not pairs:
        return []
    return ["## In your framework", "", *[f"- **{name}**: {text}" for name, text in pairs], ""]


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for module in rules.RULES:
        path = directory / f"{module.RULE.id}.md"
        path.write_text(rule_page(module), encoding="utf-8")
        written.append(path)
    index = ["# Rules", "", "| rule | dimension | severity | what to do instead |", "|---|---|---|---|"]
    index += [
        f"| [{m.RULE.id}]({m.RULE.id}.md) | {m.RULE.dimension.value} | {m.RULE.severity.value} | {m.RULE.help} |"
        for m in rules.RULES
    ]
    (directory / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules")
    print(f"wrote {len(write(target))} rule pages to {target}")
