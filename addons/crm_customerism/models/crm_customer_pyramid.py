from odoo import api, models

from .res_company import GRADES


class CrmCustomerPyramid(models.AbstractModel):
    """Figures of the customer pyramid screen (客户金字塔): per grade from VIP
    down, the customers and their current value, with the share of each in
    the company, from one _read_group over the profiles the user may read."""

    _name = "crm.customer.pyramid"
    _description = "Customer Pyramid"

    @api.model
    def get_pyramid_data(self):
        """The grades of the current company, VIP first.

        :return: dict with ``levels`` (grade, label, service tier, configured
            share, customers and their share, value and its share), the
            totals of the graded customers, the profiles without grade
            (prospects, archived) and the company currency."""
        company = self.env.company
        Profile = self.env["crm.customer.profile"]
        figures = {
            grade: (count, value or 0.0)
            for grade, count, value in Profile._read_group(
                [("company_id", "=", company.id)],
                ["grade"],
                ["__count", "current_value:sum"],
            )
        }
        grade_labels = dict(Profile._fields["grade"]._description_selection(self.env))
        tier_labels = dict(
            Profile._fields["service_tier"]._description_selection(self.env)
        )
        total_count = sum(figures.get(grade, (0, 0.0))[0] for grade in GRADES)
        total_value = sum(figures.get(grade, (0, 0.0))[1] for grade in GRADES)
        levels = []
        for grade in GRADES:
            count, value = figures.get(grade, (0, 0.0))
            levels.append(
                {
                    "grade": grade,
                    "label": grade_labels[grade],
                    "service_tier": tier_labels[company[f"customerism_tier_{grade}"]],
                    "target_share": company[f"customerism_{grade}_pct"] / 100,
                    "count": count,
                    "count_share": count / total_count if total_count else 0.0,
                    "value": value,
                    "value_share": value / total_value if total_value > 0 else 0.0,
                }
            )
        return {
            "company": company.name,
            "currency_id": company.currency_id.id,
            "levels": levels,
            "total_count": total_count,
            "total_value": total_value,
            "ungraded_count": figures.get(False, (0, 0.0))[0],
        }
