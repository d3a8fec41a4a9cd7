/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_complaint_remedy_tour", {
    steps: () => [
        {
            content: "The complaint is open: ask for a credit note",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_remedy_credit_note]",
            run: "click",
        },
        {
            content: "A partial credit note",
            trigger: ".modal .o_field_widget[name=credit_mode] input[data-value=partial]",
            run: "click",
        },
        {
            content: "The invoice's cups are listed, five of them creditable",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('保温杯') td[name=available_quantity]:contains('5')",
        },
        {
            content: "Credit two cups",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('保温杯') td[name=quantity]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=line_ids] .o_selected_row td[name=quantity] input",
            run: "edit 2",
        },
        {
            content: "Confirm",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The draft credit note opens with the two cups",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row:contains('保温杯') td[name=quantity]:contains('2')",
        },
        {
            content: "Post it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_post]",
            run: "click",
        },
        {
            content: "The credit note is posted",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
        },
    ],
});
