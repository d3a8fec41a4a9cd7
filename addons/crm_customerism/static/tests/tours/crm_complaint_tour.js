/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_complaint_tour", {
    url: "/odoo/action-crm_customerism.crm_complaint_action",
    steps: () => [
        {
            content: "The complaints open as a kanban by stage",
            trigger: ".o_kanban_view .o_kanban_group",
        },
        {
            content: "Record a new complaint",
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            content: "Subject",
            trigger: ".o_field_widget[name=subject] input",
            run: "edit Tour: broken teapot",
        },
        {
            content: "Customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Tea Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains('Tour Tea Customer')",
            run: "click",
        },
        {
            content: "Severity",
            trigger: ".o_field_widget[name=severity] select",
            run: "select \"high\"",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The reference is given",
            trigger: ".o_field_widget[name=name]:contains('TS/')",
        },
        {
            content: "Acknowledge the complaint",
            trigger: "button[name=action_acknowledge]",
            run: "click",
        },
        {
            content: "The complaint is acknowledged",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('Acknowledged')",
        },
        {
            content: "Back to the complaints",
            trigger: ".o_breadcrumb a:contains('Complaints')",
            run: "click",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The complaint is listed with its deadlines",
            trigger: ".o_list_view .o_data_row:contains('Tour: broken teapot') td[name=resolution_deadline]:not(:empty)",
        },
    ],
});
