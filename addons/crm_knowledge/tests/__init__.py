from . import test_crm_knowledge_article
from . import test_crm_knowledge_review
from . import test_crm_knowledge_search
from . import test_crm_knowledge_revision
from . import test_crm_knowledge_portal
from . import test_crm_knowledge_training
