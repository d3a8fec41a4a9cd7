from odoo import Command
from odoo.modules.migration import load_script
from odoo.tests import tagged
from odoo.tools.misc import file_path

from odoo.addons.base.tests.common import BaseCommon

POST_MIGRATE = "crm_knowledge/migrations/18.0.1.1.0/post-migrate.py"


@tagged("post_install", "-at_install")
class TestCrmKnowledgeMigration(BaseCommon):
    def test_upgrade_refreshes_the_reader_rules(self):
        """A database that installed the earlier version (own reading
        confirmations and training completion for editors only, no reader
        rule on articles) gets the rules of this one."""
        reader = self.env.ref("crm_knowledge.group_crm_knowledge_reader")
        editor = self.env.ref("crm_knowledge.group_crm_knowledge_user")
        own_rules = self.env.ref(
            "crm_knowledge.crm_knowledge_read_confirmation_rule_own"
        ) | self.env.ref("crm_knowledge.crm_knowledge_training_status_rule_own")
        own_rules.write({"groups": [Command.set(editor.ids)]})
        self.env.ref("crm_knowledge.crm_knowledge_article_rule_reader").write(
            {"domain_force": "[(1, '=', 1)]"}
        )

        script = load_script(file_path(POST_MIGRATE), "crm_knowledge_post_migrate")
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()

        for rule in own_rules:
            self.assertEqual(rule.groups, reader)
        self.assertEqual(
            self.env.ref(
                "crm_knowledge.crm_knowledge_article_rule_reader"
            ).domain_force,
            '[("live_revision_id", "!=", False)]',
        )
