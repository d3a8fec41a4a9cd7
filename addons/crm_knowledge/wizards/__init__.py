from . import crm_knowledge_revision_compare
from . import crm_knowledge_vote_wizard
