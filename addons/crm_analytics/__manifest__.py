{
    "name": "Customerism: Analytics",
    "summary": "Management analytics: customer value snapshots, pyramid and "
    "lifecycle trends, dashboards and reports",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customerism",
    "website": "https://github.com/customerism/customerism",
    "development_status": "Alpha",
    "maintainers": ["customerism"],
    "depends": ["crm_customerism", "crm_knowledge", "crm_supply_link"],
    "external_dependencies": {"python": ["pandas", "statsmodels"]},
    "data": [
        "security/crm_analytics_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "views/crm_analytics_analysis_views.xml",
        "views/crm_customer_snapshot_views.xml",
        "views/crm_customer_transition_report_views.xml",
        "views/crm_customer_snapshot_rebuild_views.xml",
        "views/crm_analytics_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["crm_analytics/static/tests/tours/*.js"],
    },
    "application": True,
    "installable": True,
}
