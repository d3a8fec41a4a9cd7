/** @odoo-module **/

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

const customersMenu = {
    content: "Open the Customers menu",
    trigger: "button[data-menu-xmlid='crm_customerism.crm_customerism_menu_customers']",
    run: "click",
};

registry.category("web_tour.tours").add("crm_customer_pyramid_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Customerism app",
            trigger: ".o_app[data-menu-xmlid='crm_customerism.crm_customerism_menu_root']",
            run: "click",
        },
        customersMenu,
        {
            content: "Open the customer pyramid",
            trigger: "a[data-menu-xmlid='crm_customerism.crm_customer_profile_menu']",
            run: "click",
        },
        {
            content: "The pyramid starts with the VIP customers",
            trigger: ".o_customerism_pyramid_levels > div:nth-child(1)[data-grade='vip']",
        },
        {
            content: "and ends with the small customers",
            trigger: ".o_customerism_pyramid_levels > div:nth-child(4)[data-grade='small']",
        },
        {
            content: "Each grade shows its customers and its share of the value",
            trigger:
                ".o_customerism_pyramid_vip:has(.o_customerism_pyramid_count:contains('1'))" +
                ":has(.o_customerism_pyramid_count_share:contains('20%'))" +
                ":has(.o_customerism_pyramid_value_share:contains('33.3%'))",
        },
        {
            trigger:
                ".o_customerism_pyramid_ordinary:has(.o_customerism_pyramid_count:contains('2'))" +
                ":has(.o_customerism_pyramid_value_share:contains('46.7%'))",
        },
        {
            content: "A level opens its customers",
            trigger: ".o_customerism_pyramid_vip",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Pyramid Tour 0')",
        },
        customersMenu,
        {
            content: "The lifecycle board is a menu of its own",
            trigger: "a[data-menu-xmlid='crm_customerism.crm_customer_profile_menu_lifecycle']",
            run: "click",
        },
        {
            content: "A prospect card shows its pipeline, not an empty RFM and a zero value",
            trigger:
                ".o_kanban_record:contains('Pyramid Tour Prospect')" +
                ":has(.o_customerism_prospect_pipeline:contains('open opportunities: 1'))" +
                ":not(:contains('RFM'))",
        },
        {
            content: "A customer card keeps its RFM code",
            trigger: ".o_kanban_record:contains('Pyramid Tour 0'):contains('RFM')",
        },
    ],
});
