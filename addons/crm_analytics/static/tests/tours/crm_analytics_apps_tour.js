import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Walks through the four Customerism apps from the apps menu.
registry.category("web_tour.tours").add("crm_analytics_apps_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm_customerism.crm_customerism_menu_root']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Customers')",
        },
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm_knowledge.crm_knowledge_menu_root']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Articles')",
        },
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm_supply_link.crm_supply_link_menu_root']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Customer Demand')",
        },
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm_analytics.crm_analytics_menu_root']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Sales Analysis')",
        },
    ],
});
