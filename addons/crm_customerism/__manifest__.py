{
    "name": "Customerism: Customer Core",
    "summary": "Customer value, customer pyramid, relationship lifecycle, "
    "complaints, interactions and win-back",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customerism",
    "website": "https://github.com/customerism/customerism",
    "development_status": "Alpha",
    "maintainers": ["customerism"],
    "depends": ["crm", "sale_management", "sale_loyalty", "mail", "rating", "portal"],
    "data": [
        "security/crm_customerism_security.xml",
        "security/ir.model.access.csv",
        "views/res_partner_views.xml",
        "views/crm_customerism_menus.xml",
    ],
    "application": True,
    "installable": True,
}
