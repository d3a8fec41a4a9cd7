"""Merge a fresh .pot into a translation, keeping every existing msgstr.

    python scripts/po_merge.py addons/X/i18n/X.pot addons/X/i18n/zh_CN.po

Entries no longer in the .pot are dropped; new ones come in untranslated and
are listed, so the translator knows what to fill. Exit 1 if any is empty.
"""

import sys

import polib


def merge(pot_path, po_path):
    pot = polib.pofile(pot_path)
    try:
        old = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(po_path)}
    except OSError:
        old = {}
    po = polib.POFile(wrapwidth=78)
    po.header = pot.header
    po.metadata = dict(pot.metadata, Language="zh_CN")
    empty = []
    for entry in pot:
        entry.msgstr = old.get((entry.msgctxt, entry.msgid), "")
        if not entry.msgstr:
            empty.append(entry.msgid)
        po.append(entry)
    po.save(po_path)
    return empty


def main():
    pot_path, po_path = sys.argv[1:3]
    empty = merge(pot_path, po_path)
    for msgid in empty:
        print(f"{po_path}: untranslated: {msgid!r}")
    return 1 if empty else 0


if __name__ == "__main__":
    sys.exit(main())
