/** @odoo-module **/

import {registry} from "@web/core/registry";

// From a complaint's suggested article to the reply to the customer, then a
// vote on the article.
registry.category("web_tour.tours").add("crm_knowledge_complaint_tour", {
    steps: () => [
        {
            content: "The knowledge tab of the complaint",
            trigger: ".o_notebook a[name=knowledge]",
            run: "click",
        },
        {
            content: "The article on the complaint's product is suggested",
            trigger: ".o_complaint_suggested_articles td:contains('退货运费由谁承担')",
        },
        {
            content: "Insert it into the reply",
            trigger:
                ".o_complaint_suggested_articles tr:contains('退货运费由谁承担') button.o_knowledge_insert",
            run: "click",
        },
        {
            content: "The reply holds the article's text",
            trigger: ".modal .o_mail_composer_form_view .note-editable:contains('七天内退货')",
        },
        {
            content: "Send the reply",
            trigger: ".modal button.o_mail_send",
            run: "click",
        },
        {
            content: "The reply is in the chatter",
            trigger: ".o-mail-Message-body:contains('七天内退货')",
        },
        {
            content: "The article is listed as used",
            trigger: ".o_field_widget[name=knowledge_usage_ids] td:contains('退货运费由谁承担')",
        },
        {
            content: "Read the article",
            trigger:
                ".o_complaint_suggested_articles tr:contains('退货运费由谁承担') button[name=get_formview_action]",
            run: "click",
        },
        {
            content: "Vote: not helpful",
            trigger: "button.o_knowledge_vote_not_helpful",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit 缺少偏远地区的运费说明",
        },
        {
            content: "Confirm the vote",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The vote is shown",
            trigger: "button.o_knowledge_vote_not_helpful.active",
        },
    ],
});
