{
    "name": "Customerism: Knowledge Base",
    "summary": "Solutions, FAQ, product and competitor knowledge and training "
    "for customer-facing staff",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customerism",
    "website": "https://github.com/customerism/customerism",
    "development_status": "Alpha",
    "maintainers": ["customerism"],
    "depends": ["crm_customerism"],
    "data": [
        "security/crm_knowledge_security.xml",
        "security/ir.model.access.csv",
        "views/crm_knowledge_article_views.xml",
        "views/crm_knowledge_category_views.xml",
        "views/crm_knowledge_tag_views.xml",
        "views/crm_knowledge_menus.xml",
    ],
    "application": True,
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
