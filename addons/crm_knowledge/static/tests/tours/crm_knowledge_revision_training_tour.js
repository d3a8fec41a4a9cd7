/** @odoo-module **/

import {registry} from "@web/core/registry";

// An editor compares the two revisions of an article and restores the older
// one as the working draft.
registry.category("web_tour.tours").add("crm_knowledge_revision_restore_tour", {
    steps: () => [
        {
            content: "The revisions of the article",
            trigger: ".o_notebook a[name=revisions]",
            run: "click",
        },
        {
            content: "Compare revision 2 with the one before it",
            trigger:
                ".o_field_widget[name=revision_ids] .o_data_row:contains('退货政策（修订）') button[name=action_compare]",
            run: "click",
        },
        {
            content: "The comparison shows the new text as inserted",
            trigger: ".modal .o_field_widget[name=diff_body] ins:contains('十五天')",
        },
        {
            content: "and the old text as deleted",
            trigger: ".modal .o_field_widget[name=diff_body] del:contains('七天')",
        },
        {
            content: "Restore the older revision",
            trigger: ".modal button[name=action_restore_old]",
            run: "click",
        },
        {
            content: "Confirm the restore",
            trigger: ".modal:contains('Bring the older revision back') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The article is a draft again, readers keep the published text",
            trigger: ".o_form_view .alert-info:contains('Readers see the published revision')",
        },
        {
            content: "The restored text is the working copy",
            trigger: ".o_form_view .o_field_widget[name=body]:contains('七天内可退货')",
        },
    ],
});

// A reader (any internal user) confirms the reading a training plan requires.
registry.category("web_tour.tours").add("crm_knowledge_training_confirm_tour", {
    steps: () => [
        {
            content: "The required article is listed",
            trigger: ".o_data_row:contains('退货政策') td:contains('退货政策')",
        },
        {
            content: "Read it",
            trigger: ".o_data_row:contains('退货政策') button[name=action_open_article]",
            run: "click",
        },
        {
            content: "The reader reads the published text",
            trigger: ".o_form_view .o_field_widget[name=live_body]:contains('十五天内可退货')",
        },
        {
            content: "Confirm reading",
            trigger: ".o_form_view button[name=action_confirm_read]",
            run: "click",
        },
        {
            content: "Back to the required reading",
            trigger: ".o_breadcrumb a:contains('My Required Reading')",
            run: "click",
        },
        {
            content: "Only the other article is left to confirm",
            trigger: ".o_list_renderer .o_data_row:contains('发票开具说明')",
        },
        {
            content: "the confirmed one is gone",
            trigger: ".o_list_renderer:not(:has(.o_data_row:contains('退货政策')))",
        },
    ],
});
