from . import test_crm_supply_link_menus
