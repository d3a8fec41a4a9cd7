"""Refresh the record rules of crm_knowledge in databases that installed an
earlier version.

The rules live in a ``noupdate`` block (an administrator may adapt them), so
an upgrade leaves existing rules as they were: the reading confirmations and
training completion of their own that every internal user (knowledge
reader) sees were given to editors only before 18.0.1.1.0, and the reader
rules on articles and revisions were written since. This reloads the
module's security files as at installation, rules included (their groups
are emptied first: the file links groups, it would not unlink an old one).
"""

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import convert_file

# every file holding record rules of the module
SECURITY_FILES = (
    "security/crm_knowledge_security.xml",
    "security/crm_knowledge_feedback_security.xml",
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rules = env["ir.model.data"].search(
        [("module", "=", "crm_knowledge"), ("model", "=", "ir.rule")]
    )
    env["ir.rule"].browse(rules.mapped("res_id")).exists().write(
        {"groups": [Command.clear()]}
    )
    for filename in SECURITY_FILES:
        convert_file(env, "crm_knowledge", filename, {}, mode="init", noupdate=True)
