from . import crm_knowledge_vote_wizard
