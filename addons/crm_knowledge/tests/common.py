from odoo.tests import new_test_user


def create_knowledge_users(env):
    """An editor, a reviewer and a manager of the knowledge base."""
    editor = new_test_user(
        env, login="kb_editor", groups="crm_knowledge.group_crm_knowledge_user"
    )
    reviewer = new_test_user(
        env, login="kb_reviewer", groups="crm_knowledge.group_crm_knowledge_reviewer"
    )
    return editor, reviewer
