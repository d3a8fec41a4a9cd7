/** @odoo-module **/

import {registry} from "@web/core/registry";

// A user working in Simplified Chinese: the customer pyramid, a complaint and
// the stage reasons, in Chinese.
registry.category("web_tour.tours").add("crm_customerism_zh_tour", {
    url: "/odoo/action-crm_customerism.crm_customer_profile_action_list",
    steps: () => [
        {
            content: "The customer values are grouped by the grades of the pyramid",
            trigger: ".o_group_header:contains('重要客户')",
            run: "click",
        },
        {
            content: "The VIP customer is listed",
            trigger: ".o_data_row:contains('中文巡检贸易有限公司') td[name=partner_id]",
        },
        {
            content: "Show the pyramid as a pivot table",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot table lists the grades and stages in Chinese",
            trigger: ".o_pivot th:contains('重要客户')",
        },
        {
            trigger: ".o_pivot:contains('危险期')",
        },
        {
            content: "Open the complaints",
            trigger: "button[data-menu-xmlid='crm_customerism.crm_complaint_menu_root']",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='crm_customerism.crm_complaint_menu']",
            run: "click",
        },
        {
            content: "The kanban columns are the stages, in Chinese",
            trigger: ".o_kanban_group .o_column_title:contains('新投诉')",
        },
        {
            content: "Open the complaint",
            trigger: ".o_kanban_record:contains('水泵漏水')",
            run: "click",
        },
        {
            content: "The complaint's stage is in Chinese",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('新投诉')",
        },
        {
            content: "The complaint puts the customer at risk: the reason is in Chinese",
            trigger: ".o_form_view .alert-danger:contains('紧急')",
        },
        {
            content: "The note of the portal filing is in Chinese",
            trigger: ".o-mail-Message:contains('投诉由客户门户提交')",
        },
        {
            content: "Acknowledge the complaint",
            trigger: "button[name=action_acknowledge]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('已受理')",
        },
    ],
});

registry.category("web_tour.tours").add("crm_customerism_zh_portal_tour", {
    steps: () => [
        {
            content: "The portal page of the complaint is in Chinese",
            trigger: "h4:contains('水泵漏水') .badge:contains('已受理')",
        },
        {
            trigger: "strong:contains('受理时间')",
        },
        {
            trigger: "h4:contains('消息')",
        },
    ],
});
