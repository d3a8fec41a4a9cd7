"""Refresh the record rules of crm_knowledge in databases that installed an
earlier version.

The rules live in a ``noupdate`` block (an administrator may adapt them), so
an upgrade leaves existing rules as they were: the reading confirmations and
training completion of their own that every internal user (knowledge
reader) sees were given to editors only before 18.0.1.1.0, and the reader
rules on articles and revisions were written since. This reloads the
module's security file as at installation, rules included.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file

SECURITY_FILE = "security/crm_knowledge_security.xml"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    convert_file(env, "crm_knowledge", SECURITY_FILE, {}, mode="init", noupdate=True)
