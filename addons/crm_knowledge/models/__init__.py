from . import crm_knowledge_category
from . import crm_knowledge_tag
from . import crm_knowledge_article
from . import crm_knowledge_article_revision
from . import crm_knowledge_read_confirmation
from . import crm_knowledge_training_plan
