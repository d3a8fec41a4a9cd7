/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_supply_demand_tour", {
    url: "/odoo/action-crm_supply_link.crm_supply_demand_action_server",
    steps: () => [
        {
            content: "The customer demand short of stock is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Valve')",
        },
        {
            content: "The key account's demand is marked",
            trigger: ".o_data_row:contains('Tour Valve') .o_field_many2many_tags:contains('Tour Key Account')",
        },
        {
            content: "Select the shortage",
            trigger: ".o_data_row:contains('Tour Valve') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Create the RFQs",
            trigger: ".o_control_panel button[name=action_create_rfqs]",
            run: "click",
        },
        {
            content: "The draft RFQs open",
            trigger: ".o_breadcrumb .active:contains('Draft RFQs')",
        },
        {
            content: "Open the draft RFQ of the vendor",
            trigger: ".o_list_view .o_data_row td[name=partner_id]:contains('Tour Valve Vendor')",
            run: "click",
        },
        {
            content: "The RFQ line says whose demand it covers",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains('Tour Valve') td[name=customer_order_ids] .o_tag",
        },
    ],
});
