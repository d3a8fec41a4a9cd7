from . import crm_knowledge_training_status
from . import crm_knowledge_article_report
