from . import crm_analytics_management_report_wizard
from . import crm_customer_snapshot_rebuild
