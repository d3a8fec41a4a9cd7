import { registry } from "@web/core/registry";

// Opens the manager dashboard in the Dashboards app: its key figures
// (scorecards) and charts are drawn.
registry.category("web_tour.tours").add("crm_analytics_dashboard_tour", {
    url: "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
    steps: () => [
        {
            // the spreadsheet bundle loads lazily: the first time it is built
            trigger: ".o_search_panel_category_value[data-name='Customer Management']",
            run: "click",
            timeout: 60000,
        },
        {
            trigger: ".o_search_panel_category_value.active[data-name='Customer Management']",
        },
        {
            trigger: ".o-spreadsheet .o-figure canvas.o-scorecard",
            timeout: 30000,
        },
        {
            trigger: ".o-spreadsheet .o-figure canvas.o-figure-canvas:not(.o-scorecard)",
        },
    ],
});
