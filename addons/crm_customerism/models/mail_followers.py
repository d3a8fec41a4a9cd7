from odoo import models


class MailFollowers(models.Model):
    """Followers of complaints (who complained, who handles it) are listed only
    to those who may read the complaint (record rule
    ``mail_followers_rule_complaint``); Odoo lets every employee read every
    follower."""

    _name = "mail.followers"
    _inherit = ["mail.followers", "crm.complaint.linked.mixin"]
