from . import test_crm_supply_link_menus
from . import test_crm_complaint_trace
from . import test_supplier_customer_report
from . import test_supply_demand
from . import test_key_account_priority
from . import test_supply_demand_tour
from . import test_supplier_quality
