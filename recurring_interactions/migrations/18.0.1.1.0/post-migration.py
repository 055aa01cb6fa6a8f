"""18.0.1.1.0: a recurrence's target name and customer are computed for each reader, no longer stored.

The old columns kept names computed as superuser: they go, with the customer's index and foreign key.
"""


def migrate(cr, version):
    cr.execute("ALTER TABLE recurring_interaction DROP COLUMN IF EXISTS res_name, DROP COLUMN IF EXISTS partner_id")
