/** @odoo-module **/

import {Component, onWillStart, useState} from "@odoo/owl";
import {formatMonetary, formatPercentage} from "@web/views/fields/formatters";
import {Layout} from "@web/search/layout";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {useService} from "@web/core/utils/hooks";

// width of each level at its base, in % of the pyramid, from the top (VIP)
const LEVEL_WIDTHS = [34, 56, 78, 100];
// width of the apex
const APEX_WIDTH = 8;

/**
 * The customer pyramid (客户金字塔): one level per grade from VIP down, with
 * the customers and the current value of the grade and their share of the
 * company. A level opens the list of its customers.
 */
export class CustomerPyramid extends Component {
    static template = "crm_customerism.CustomerPyramid";
    static components = {Layout};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.display = {controlPanel: {}, searchPanel: false};
        this.state = useState({data: null});
        onWillStart(async () => {
            this.state.data = await this.orm.call(
                "crm.customer.pyramid",
                "get_pyramid_data",
                []
            );
        });
    }

    get levels() {
        return this.state.data.levels.map((level, index) => {
            const width = LEVEL_WIDTHS[index];
            const top = index ? LEVEL_WIDTHS[index - 1] : APEX_WIDTH;
            // the sides of the trapezoid continue those of the level above
            const inset = ((width - top) / 2 / width) * 100;
            return {
                ...level,
                tooltip: _t("Target share: %(share)s; service tier: %(tier)s", {
                    share: this.formatShare(level.target_share),
                    tier: level.service_tier,
                }),
                style:
                    `width: ${width}%; ` +
                    `clip-path: polygon(${inset}% 0, ${100 - inset}% 0, 100% 100%, 0 100%);`,
            };
        });
    }

    formatValue(value) {
        return formatMonetary(value, {currencyId: this.state.data.currency_id});
    }

    formatShare(share) {
        return formatPercentage(share, {digits: [16, 1]});
    }

    openGrade(level) {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: level.label,
            res_model: "crm.customer.profile",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain: [["grade", "=", level.grade]],
            context: {create: false},
        });
    }

    openUngraded() {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: _t("Not Graded"),
            res_model: "crm.customer.profile",
            views: [
                [false, "kanban"],
                [false, "list"],
                [false, "form"],
            ],
            domain: [["grade", "=", false]],
            context: {create: false},
        });
    }
}

registry.category("actions").add("crm_customerism.customer_pyramid", CustomerPyramid);
