from odoo.tests import tagged

from .common import CustomerismCase

PYRAMID = ["vip", "major", "ordinary", "small"]
LIFECYCLE = ["prospect", "new", "growth", "maturity", "at_risk", "lapsed"]


@tagged("post_install", "-at_install", "customerism")
class TestGroupingOrder(CustomerismCase):
    """Grades group from VIP down and lifecycle stages in lifecycle order in
    every list, pivot and graph, not alphabetically by their keys."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ordered = cls.env["res.company"].create({"name": "Grouping Co"})
        # created in alphabetical order of the keys, so that neither the ids
        # nor the keys give the expected order
        rows = [
            ("small", "at_risk", 10),
            ("ordinary", "growth", 20),
            ("major", "lapsed", 30),
            ("vip", "maturity", 40),
            ("small", "new", 5),
            (False, "prospect", 0),
        ]
        cls.profiles = cls.Profile.create(
            [
                {
                    "partner_id": cls._partner(f"Grouping {index}").id,
                    "company_id": cls.ordered.id,
                    "computed_grade": grade,
                    "lifecycle_stage": stage,
                    "current_value": value,
                }
                for index, (grade, stage, value) in enumerate(rows)
            ]
        )
        cls.domain = [("company_id", "=", cls.ordered.id)]

    def test_read_group_order(self):
        groups = self.Profile._read_group(self.domain, ["grade"], ["__count"])
        self.assertEqual([grade for grade, __ in groups], [*PYRAMID, False])
        groups = self.Profile._read_group(self.domain, ["lifecycle_stage"], ["__count"])
        self.assertEqual([stage for stage, __ in groups], LIFECYCLE)
        groups = self.Profile._read_group(
            self.domain, ["grade"], ["__count"], order="grade desc"
        )
        self.assertEqual([grade for grade, __ in groups], [False, *PYRAMID[::-1]])

    def test_pivot_and_graph_order(self):
        """Pivot and graph read their groups with lazy=False, which Odoo's
        group_expand of selection fields does not reorder."""
        groups = self.Profile.web_read_group(
            self.domain,
            ["current_value:sum"],
            ["grade", "lifecycle_stage"],
            lazy=False,
        )["groups"]
        self.assertEqual(
            [(g["grade"], g["lifecycle_stage"]) for g in groups],
            [
                ("vip", "maturity"),
                ("major", "lapsed"),
                ("ordinary", "growth"),
                ("small", "new"),
                ("small", "at_risk"),
                (False, "prospect"),
            ],
        )
        groups = self.Profile.read_group(
            self.domain, ["current_value:sum"], ["lifecycle_stage"], lazy=False
        )
        self.assertEqual([g["lifecycle_stage"] for g in groups], LIFECYCLE)

    def test_list_sub_groups_and_sort(self):
        # a list grouped by stage, then by grade: the sub-groups of a stage
        groups = self.Profile.web_read_group(
            [*self.domain, ("computed_grade", "=", "small")],
            ["current_value:sum"],
            ["lifecycle_stage", "grade"],
        )["groups"]
        stages = [g["lifecycle_stage"] for g in groups if g["lifecycle_stage_count"]]
        self.assertEqual(stages, ["new", "at_risk"])
        # a list sorted by the grade column
        profiles = self.Profile.search(
            [*self.domain, ("grade", "!=", False)], order="grade, current_value"
        )
        self.assertEqual(profiles.mapped("grade"), PYRAMID + ["small"])
        self.assertEqual(
            self.Profile.search(
                self.domain, order="lifecycle_stage desc", limit=1
            ).lifecycle_stage,
            "lapsed",
        )

    def test_stage_history_order(self):
        """The stage history (list, pivot, graph) groups its stages in
        lifecycle order too."""
        profile = self.profiles[0]
        History = self.env["crm.customer.stage.history"]
        History.create(
            [
                {
                    "profile_id": profile.id,
                    "partner_id": profile.partner_id.id,
                    "company_id": self.ordered.id,
                    "stage_from": stage_from,
                    "stage_to": stage_to,
                }
                for stage_from, stage_to in (
                    ("maturity", "at_risk"),
                    ("growth", "maturity"),
                    ("new", "growth"),
                    ("prospect", "new"),
                )
            ]
        )
        groups = History._read_group(self.domain, ["stage_to"], ["__count"])
        self.assertEqual(
            [stage for stage, __ in groups], ["new", "growth", "maturity", "at_risk"]
        )
        groups = History.read_group(
            self.domain, ["__count"], ["stage_from"], lazy=False
        )
        self.assertEqual(
            [g["stage_from"] for g in groups],
            ["prospect", "new", "growth", "maturity"],
        )
