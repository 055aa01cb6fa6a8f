# Part of recurring_interactions. License LGPL-3.
"""What Odoo 18.0 and 19.0 name or store differently: the only place that knows which series runs.

Both addons import their differences from here, and their data files call ``recurring.series.compat``
for what a record cannot say the same way in both series. Each shim says which series it serves.
"""

from odoo import api, models
from odoo.release import version_info

SERIES = version_info[0]

# 19.0: res.users.group_ids holds the groups set on the user and all_group_ids adds the implied ones;
# 18.0: groups_id holds both.
USER_GROUPS = "group_ids" if SERIES >= 19 else "groups_id"
USER_ALL_GROUPS = "all_group_ids" if SERIES >= 19 else "groups_id"
# 19.0 renamed the decimal precision of quantities.
QUANTITY_DIGITS = "Product Unit" if SERIES >= 19 else "Product Unit of Measure"

try:  # 19.0
    from odoo.fields import Domain

    def domain_or(domains):
        return list(Domain.OR(domains))

    def normalize_domain(domain):
        return list(Domain(domain))

except ImportError:  # 18.0
    from odoo.osv import expression

    def domain_or(domains):
        return expression.OR(domains) if domains else list(expression.FALSE_DOMAIN)

    def normalize_domain(domain):
        return expression.normalize_domain(domain)


def registry_in_test_mode(registry):
    """18.0 has Registry.in_test_mode(); 19.0 dropped it (its tests set odoo.modules.module.current_test)."""
    return getattr(registry, "in_test_mode", lambda: False)()


def report_cron_progress(env, processed, done, remaining, commit):
    """Tell the running scheduled action how far it is, and commit what is done when `commit`.

    18.0: ir.cron._notify_progress(done=, remaining=), then a commit. 19.0 deprecates it for
    _commit_progress(processed, remaining=), which always commits: called only when it may.
    """
    Cron = env["ir.cron"]
    if SERIES >= 19:
        if commit:
            Cron._commit_progress(processed, remaining=remaining)
        return
    Cron._notify_progress(done=done, remaining=remaining)
    if commit:
        env.cr.commit()  # pylint: disable=invalid-commit


def charge_with_token(transaction):
    """Charge a transaction's saved payment method. 19.0: payment.transaction._charge_with_token() checks the
    provider, logs, sends the request and turns a provider's ValidationError into an error state; 18.0:
    _send_payment_request() does all but the last (its caller catches)."""
    if SERIES >= 19:
        return transaction._charge_with_token()
    return transaction._send_payment_request()


class RecurringSeriesCompat(models.AbstractModel):
    _name = "recurring.series.compat"
    _description = "Data that Odoo 18.0 and 19.0 store differently"

    @api.model
    def _set_groups_application(self, group_xmlids, category_xmlid, privilege_xmlid, privilege_name):
        """Show groups under their application: 18.0 res.groups.category_id, 19.0 a res.groups.privilege."""
        groups = self.env["res.groups"].browse([self.env.ref(xmlid).id for xmlid in group_xmlids])
        category = self.env.ref(category_xmlid)
        if "privilege_id" in groups._fields:  # 19.0
            privilege = self.env["res.groups.privilege"]._load_records(
                [
                    {
                        "xml_id": privilege_xmlid,
                        "values": {"name": privilege_name, "category_id": category.id, "sequence": category.sequence},
                    }
                ],
                update=True,
            )
            groups.privilege_id = privilege
        else:  # 18.0
            groups.category_id = category

    @api.model
    def _add_users_to_group(self, user_xmlids, group_xmlid):
        """18.0 res.users.groups_id, 19.0 res.users.group_ids."""
        users = self.env["res.users"].browse([self.env.ref(xmlid).id for xmlid in user_xmlids])
        users.write({USER_GROUPS: [(4, self.env.ref(group_xmlid).id)]})

    @api.model
    def _set_action_groups(self, action_xmlid, group_xmlids):
        """18.0 ir.actions.*.groups_id, 19.0 group_ids."""
        action = self.env.ref(action_xmlid)
        field = "group_ids" if "group_ids" in action._fields else "groups_id"
        action.write({field: [(4, self.env.ref(xmlid).id) for xmlid in group_xmlids]})

    @api.model
    def _keep_done_activities(self, activity_type_xmlids):
        """18.0 deletes done activities unless their type keeps them; 19.0 always keeps them (archived)."""
        types = self.env["mail.activity.type"].browse([self.env.ref(xmlid).id for xmlid in activity_type_xmlids])
        if "keep_done" in types._fields:  # 18.0
            types.keep_done = True
