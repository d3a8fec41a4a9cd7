from . import test_crm_knowledge_article
from . import test_crm_knowledge_review
from . import test_crm_knowledge_search
