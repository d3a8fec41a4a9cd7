from . import crm_analytics_analysis
from . import crm_customer_snapshot
from . import crm_churn_model
from . import crm_customer_profile
from . import crm_winback_campaign
