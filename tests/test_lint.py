"""Lint gates of CI: ruff, the OCA mandatory pylint-odoo checks, the OCA
module and .po checks, generated READMEs and complete zh_CN translations."""

import subprocess

import polib
import pytest
from conftest import ADDONS, ROOT

ADDON_DIRS = [str(ROOT / "addons" / addon) for addon in ADDONS]


def run(python, *args):
    result = subprocess.run(
        [python, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_ruff_check(python):
    run(python, "-m", "ruff", "check", "--no-fix", ".")


def test_ruff_format(python):
    run(python, "-m", "ruff", "format", "--check", ".")


def test_pylint_odoo_mandatory(python):
    result = run(python, "-m", "pylint", "--rcfile=.pylintrc-mandatory", *ADDON_DIRS)
    assert ": [" not in result.stdout, result.stdout


def test_oca_module_checks(python):
    run(
        python,
        "-c",
        "import sys; from oca_pre_commit_hooks.cli import main; sys.exit(main())",
        *ADDON_DIRS,
    )


def test_oca_po_checks(python):
    po_files = [str(p) for p in (ROOT / "addons").glob("*/i18n/*.po*")]
    run(
        python,
        "-c",
        "import sys; from oca_pre_commit_hooks.cli_po import main; sys.exit(main())",
        *po_files,
    )


def test_addon_readmes_generated(python):
    run(python, "scripts/gen_addon_readme.py", "--check")


@pytest.mark.parametrize("addon", ADDONS)
def test_zh_cn_translation_complete(addon):
    i18n = ROOT / "addons" / addon / "i18n"
    pot = polib.pofile(str(i18n / f"{addon}.pot"))
    po = polib.pofile(str(i18n / "zh_CN.po"))
    missing = sorted({e.msgid for e in pot} - {e.msgid for e in po})
    assert not missing, f"msgids of the .pot not in zh_CN.po: {missing[:10]}"
    empty = [e.msgid for e in po if e.msgid and not e.msgstr and not e.obsolete]
    assert not empty, f"untranslated in zh_CN.po: {empty[:10]}"
