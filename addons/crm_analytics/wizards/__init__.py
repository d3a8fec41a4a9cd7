from . import crm_customer_snapshot_rebuild
