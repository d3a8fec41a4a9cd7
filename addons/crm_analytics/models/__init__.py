from . import crm_analytics_analysis
from . import crm_customer_snapshot
