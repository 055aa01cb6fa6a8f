/** "Recurrence" on an activity a recurrence generated: opens that recurrence. */
import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { patch } from "@web/core/utils/patch";

const openRecurrence = {
    async onClickRecurrence(ev) {
        ev.stopPropagation();
        const [recurrenceId] = this.props.activity.recurring_interaction_id;
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
