/** @odoo-module **/

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("crm_customerism_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Customerism app",
            trigger: ".o_app[data-menu-xmlid='crm_customerism.crm_customerism_menu_root']",
            run: "click",
        },
        {
            content: "Open the customer",
            trigger: ".o_kanban_record:contains('Tour Customer Co')",
            run: "click",
        },
        {
            content: "Open the Customerism tab",
            trigger: ".o_notebook .nav-link:contains('Customerism')",
            run: "click",
        },
        {
            content: "The grade of the customer pyramid is shown",
            trigger: ".o_field_widget[name=customerism_grade]:contains('VIP')",
        },
        {
            content: "The lifecycle stage is shown",
            trigger: ".o_field_widget[name=customerism_stage]:contains('New')",
        },
        {
            content: "The stage history is listed",
            trigger: ".o_field_widget[name=customerism_stage_history_ids] .o_data_row:contains('New')",
        },
        {
            content: "Open the customer values",
            trigger: "button[data-menu-xmlid='crm_customerism.crm_customerism_menu_customers']",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='crm_customerism.crm_customer_profile_menu_list']",
            run: "click",
        },
        {
            content: "The list is grouped by grade",
            trigger: ".o_group_header:contains('VIP')",
            run: "click",
        },
        {
            content: "The customer is a VIP with its RFM code",
            trigger: ".o_data_row:contains('Tour Customer Co'):contains('555') td[name=partner_id]",
            run: "click",
        },
        {
            content: "The profile explains the lifetime value",
            trigger: ".o_form_view .nav-link:contains('Lifetime Value')",
            run: "click",
        },
        {
            trigger: ".o_form_view:contains('CLV = m')",
        },
    ],
});
