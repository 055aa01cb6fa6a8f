"""Who sees which recurrences: own and assigned for users, all for managers, never another company's;
and nobody reaches a record through a recurrence that they could not open directly."""

import pytest

from odoo.addons.recurring_interactions.models.series_compat import USER_GROUPS
from odoo.exceptions import AccessError, ValidationError

from .common import RecurringCase

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions


class TestRecurringInteractionAccess(RecurringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Users = cls.env["res.users"].with_context(no_reset_password=True)
        internal = cls.env.ref("base.group_user")
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.alice = Users.create({"name": "Alice", "login": "alice", USER_GROUPS: [(6, 0, internal.ids)]})
        cls.bob = Users.create({"name": "Bob", "login": "bob", USER_GROUPS: [(6, 0, internal.ids)]})
        cls.manager = Users.create(
            {
                "name": "Manager",
                "login": "rec_manager",
                USER_GROUPS: [(6, 0, [internal.id, cls.env.ref("recurring_interactions.group_recurring_manager").id])],
            }
        )
        cls.manager_b = Users.create(
            {
                "name": "Manager B",
                "login": "rec_manager_b",
                "company_id": cls.company_b.id,
                "company_ids": [(6, 0, cls.company_b.ids)],
                USER_GROUPS: [(6, 0, [internal.id, cls.env.ref("recurring_interactions.group_recurring_manager").id])],
            }
        )
        cls.portal = Users.create(
            {
                "name": "Portal",
                "login": "rec_portal",
                USER_GROUPS: [(6, 0, cls.env.ref("base.group_portal").ids)],
            }
        )
        cls.carol = Users.create(
            {
                "name": "Carol",
                "login": "rec_carol",
                "company_ids": [(6, 0, [cls.env.company.id, cls.company_b.id])],
                USER_GROUPS: [(6, 0, internal.ids)],
            }
        )
        cls.partner.company_id = False
        cls.customer_b = cls.env["res.partner"].create({"name": "Secret Customer B", "company_id": cls.company_b.id})
        vals = dict(tue=True, end_type="count", count=2)
        cls.alice_own = cls.Recurrence.with_user(cls.alice).create(cls._recurrence_vals(name="Alice's", **vals))
        cls.assigned_to_bob = cls.Recurrence.with_user(cls.alice).create(
            cls._recurrence_vals(name="For Bob", user_id=cls.bob.id, **vals)
        )
        cls.admin_own = cls._recurrence(name="Admin's", **vals)

    def _visible(self, user):
        return self.Recurrence.with_user(user).search([])

    def _carol_in_both_companies(self):
        """Carol working in company A with company B also selected: B's customers are hers to open."""
        return self.Recurrence.with_user(self.carol).with_context(
            allowed_company_ids=[self.env.company.id, self.company_b.id]
        )

    def test_user_sees_own_and_assigned(self):
        self.assertEqual(self._visible(self.alice), self.alice_own | self.assigned_to_bob)
        self.assertEqual(self._visible(self.bob), self.assigned_to_bob)
        with self.assertRaises(AccessError):
            self.admin_own.with_user(self.bob).read(["name"])
        with self.assertRaises(AccessError):
            self.alice_own.with_user(self.bob).write({"name": "Taken over"})

    def test_assignee_can_generate(self):
        # Scheduling activities on a customer needs the right to edit customers, as in Odoo itself.
        with self.assertRaisesRegex(AccessError, "not allowed to schedule activities on Contact #"):
            self.assigned_to_bob.with_user(self.bob).action_generate()
        self.bob[USER_GROUPS] += self.env.ref("base.group_partner_manager")
        self.assigned_to_bob.with_user(self.bob).action_generate()
        activities = self.assigned_to_bob.with_user(self.bob).interaction_ids
        self.assertEqual(len(activities), 2)
        self.assertEqual(activities.user_id, self.bob)

    def test_manager_sees_all_of_the_company(self):
        visible = self._visible(self.manager)
        self.assertIn(self.admin_own, visible)
        self.assertIn(self.alice_own, visible)

    def test_other_company_sees_nothing(self):
        self.assertFalse(self._visible(self.manager_b) & (self.alice_own | self.admin_own | self.assigned_to_bob))
        with self.assertRaises(AccessError):
            self.admin_own.with_user(self.manager_b).read(["name"])
        own_b = self.Recurrence.with_user(self.manager_b).create(
            self._recurrence_vals(name="B's", tue=True, company_id=self.company_b.id)
        )
        self.assertNotIn(own_b, self._visible(self.manager))

    def test_portal_sees_nothing(self):
        with self.assertRaises(AccessError):
            self.Recurrence.with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.Recurrence.with_user(self.portal).create(self._recurrence_vals(name="Portal's", tue=True))

    def test_target_must_be_readable_by_whoever_sets_it(self):
        Recurrence = self.Recurrence.with_user(self.alice)
        hidden_id = self.customer_b.id
        with self.assertRaises(AccessError) as refused:
            Recurrence.create(self._recurrence_vals(name="Peek", res_id=hidden_id, tue=True))
        self.assertEqual(
            str(refused.exception),
            f"You cannot plan interactions on Contact #{hidden_id}: you are not allowed to open that record.",
        )
        self.assertFalse(self.Recurrence.search([("name", "=", "Peek")]))
        for vals in ({"res_id": hidden_id}, {"resource_ref": f"res.partner,{hidden_id}"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.alice_own.with_user(self.alice).write(vals)
        self.assertEqual(self.alice_own.res_id, self.partner.id)
        # The model alone changes the target too (the same id in another model).
        with self.assertRaisesRegex(ValidationError, "cannot have activities"):
            self.alice_own.with_user(self.alice).write({"res_model_id": self.env["ir.model"]._get_id("res.country")})
        # Who may open it in one of their companies may plan on it.
        Carol = self._carol_in_both_companies()
        self.assertEqual(Carol.create(self._recurrence_vals(res_id=hidden_id, tue=True)).res_id, hidden_id)

    def test_assignee_must_be_able_to_read_the_target(self):
        customer_a = self.env["res.partner"].create({"name": "Customer A", "company_id": self.env.company.id})
        with self.assertRaises(ValidationError) as refused:
            self.Recurrence.with_user(self.alice).create(
                self._recurrence_vals(name="For B", res_id=customer_a.id, user_id=self.manager_b.id, tue=True)
            )
        self.assertEqual(
            str(refused.exception),
            f"Manager B cannot open Contact #{customer_a.id}: assign “For B” to someone who can, "
            "or choose another target.",
        )
        self.alice_own.with_user(self.alice).res_id = customer_a
        with self.assertRaises(ValidationError):
            self.alice_own.with_user(self.alice).user_id = self.manager_b
        self.assertEqual(self.alice_own.user_id, self.alice)
        # Carol may open it in one of her companies: she may be assigned.
        self.alice_own.with_user(self.alice).user_id = self.carol

    def test_derived_fields_reveal_nothing_the_reader_cannot_read(self):
        Carol = self._carol_in_both_companies()
        recurrence = Carol.create(self._recurrence_vals(name="On B's customer", res_id=self.customer_b.id, tue=True))
        self.assertEqual((recurrence.res_name, recurrence.partner_id), ("Secret Customer B", self.customer_b))
        self.assertEqual(Carol.search([("res_name", "ilike", "Secret")]), recurrence)
        self.assertEqual(Carol.search([("partner_id", "=", self.customer_b.id)]), recurrence)
        # The manager of company A sees the recurrence, not its target (a customer of company B).
        as_manager = self.Recurrence.with_user(self.manager).browse(recurrence.id)
        values = as_manager.read(["res_name", "partner_id", "resource_ref"])[0]
        self.assertEqual(values["res_name"], "You don't have access to this record")
        self.assertFalse(values["partner_id"])
        Manager = self.Recurrence.with_user(self.manager)
        self.assertFalse(Manager.search([("res_name", "ilike", "Secret")]))
        self.assertFalse(Manager.search([("partner_id", "in", self.customer_b.ids)]))
        self.assertNotIn("Secret", str(as_manager.web_read({"resource_ref": {"fields": {"display_name": {}}}})))
