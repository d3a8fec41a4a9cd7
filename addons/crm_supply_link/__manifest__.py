{
    "name": "Customerism: Supply Link",
    "summary": "Carry customer data into stock, purchase and accounting: "
    "supplier-customer linkage, demand, priorities, complaint remedies",
    "version": "18.0.1.0.0",
    "category": "Inventory/Purchase",
    "license": "LGPL-3",
    "author": "Customerism",
    "website": "https://github.com/customerism/customerism",
    "development_status": "Alpha",
    "maintainers": ["customerism"],
    "depends": ["crm_customerism", "sale_stock", "purchase_stock", "account"],
    "data": [
        "security/crm_supply_link_security.xml",
        "security/ir.model.access.csv",
        "views/crm_complaint_views.xml",
        "views/crm_supply_link_menus.xml",
    ],
    "application": True,
    "installable": True,
}
