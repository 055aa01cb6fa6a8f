/** "Recurrence" on an activity a recurrence generated: opens that recurrence. */
import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { patch } from "@web/core/utils/patch";

const openRecurrence = {
    async onClickRecurrence(ev) {
        ev.stopPropagation();
        // 18.0 sends a many2one as [id, name], 19.0 as an id.
        const recurrence = this.props.activity.recurring_interaction_id;
        const recurrenceId = Array.isArray(recurrence) ? recurrence[0] : recurrence?.id ?? recurrence;
        this.props.close?.();
        await this.env.services.action.doAction({
            type: "ir.actions.act_window",
            res_model: "recurring.interaction",
            res_id: recurrenceId,
            views: [[false, "form"]],
            target: "current",
        });
    },
};

patch(Activity.prototype, openRecurrence);
patch(ActivityListPopoverItem.prototype, openRecurrence);
