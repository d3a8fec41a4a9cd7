from . import crm_complaint_remedy_wizard
