from . import test_crm_knowledge_article
