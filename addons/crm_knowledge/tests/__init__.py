from . import test_crm_knowledge_article
from . import test_crm_knowledge_review
from . import test_crm_knowledge_search
from . import test_crm_knowledge_feedback
from . import test_crm_knowledge_complaint
from . import test_crm_knowledge_report
from . import test_crm_knowledge_tour
