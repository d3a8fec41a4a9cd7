from . import crm_knowledge_article_report
