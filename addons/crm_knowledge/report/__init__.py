from . import crm_knowledge_training_status
