from . import crm_knowledge_category
from . import crm_knowledge_tag
from . import crm_knowledge_article
from . import crm_knowledge_article_api
