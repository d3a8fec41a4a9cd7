from . import crm_knowledge_revision_compare
