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
        "security/crm_knowledge_feedback_security.xml",
        "views/crm_knowledge_article_views.xml",
        "views/crm_knowledge_category_views.xml",
        "views/crm_knowledge_tag_views.xml",
        "views/crm_knowledge_article_feedback_views.xml",
        "views/crm_complaint_views.xml",
        "views/crm_knowledge_report_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_knowledge_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_knowledge/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
