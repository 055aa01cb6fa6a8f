"""1.5.0: a recurrence saved but never generated reads "Not planned yet" (state ``draft``), no longer "In progress";
an empty filter selects no record, no longer every record.

The new state sorts first: every stored ``state_sequence`` moves one place down. As ``_compute_state`` says it:
ended and paused come before "not planned yet". A filter recurrence already planned on an empty filter keeps
planning on every record, now said as a condition ("ID is set"); one never planned waits for a condition.
"""


def migrate(cr, version):
    cr.execute("UPDATE recurring_interaction SET state_sequence = state_sequence + 1")
    cr.execute(
        """
        UPDATE recurring_interaction
           SET state = 'draft', state_sequence = 0
         WHERE generated_until IS NULL AND state IN ('in_progress', 'ending')
        """
    )
    cr.execute(
        """
        UPDATE recurring_interaction
           SET filter_domain = '[("id", "!=", False)]'
         WHERE target_mode = 'filter' AND generated_until IS NOT NULL
           AND (filter_domain IS NULL OR regexp_replace(filter_domain, '\\s', '', 'g') IN ('', '[]', '()'))
        """
    )
