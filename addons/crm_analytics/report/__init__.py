from . import crm_customer_transition_report
from . import crm_customer_value_report
from . import crm_complaint_report
from . import crm_knowledge_usage_report
from . import crm_supply_link_report
from . import crm_analytics_management_report
