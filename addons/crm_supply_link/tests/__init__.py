from . import test_crm_supply_link_menus
from . import test_crm_complaint_trace
