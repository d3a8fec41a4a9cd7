from . import crm_supplier_customer_report
