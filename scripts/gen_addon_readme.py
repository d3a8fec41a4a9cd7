"""Write each addon's README.rst from its readme/ fragments, as OCA does.

    python scripts/gen_addon_readme.py            # rewrite addons/*/README.rst
    python scripts/gen_addon_readme.py --check    # exit 1 if one is stale

Fragments are Markdown paragraphs and lists (no headings), which read the
same in reStructuredText; each becomes a section of the README.
"""

import argparse
import ast
import sys
from pathlib import Path

ADDONS = Path(__file__).resolve().parent.parent / "addons"
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def render(addon: Path) -> str:
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    title = manifest["name"]
    out = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        manifest["summary"],
        "",
        (
            f"Version {manifest['version']}, license {manifest['license']}, "
            f"development status {manifest['development_status']}; "
            f"depends on {', '.join(manifest['depends'])}."
        ),
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for filename, heading in SECTIONS:
        fragment = addon / "readme" / filename
        if not fragment.exists():
            continue
        if heading:
            out += [heading, "=" * len(heading), ""]
        out += [fragment.read_text().strip(), ""]
    out += [
        (
            "This file is generated from the readme/ fragments by "
            "scripts/gen_addon_readme.py."
        ),
        "",
    ]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args()
    stale = []
    for manifest in sorted(ADDONS.glob("*/__manifest__.py")):
        addon = manifest.parent
        text = render(addon)
        target = addon / "README.rst"
        if target.exists() and target.read_text() == text:
            continue
        stale.append(str(target))
        if not args.check:
            target.write_text(text)
    if args.check and stale:
        sys.stderr.write(
            "stale, run scripts/gen_addon_readme.py: " + ", ".join(stale) + "\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
