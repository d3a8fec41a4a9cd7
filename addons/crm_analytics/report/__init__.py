from . import crm_customer_transition_report
