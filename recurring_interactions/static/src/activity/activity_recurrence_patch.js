/** "Recurrence" on an activity a recurrence generated: opens that recurrence. */
import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { Chatter } from "@mail/chatter/web_portal/chatter";
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

/**
 * On a recurrence's form (an internal one holds its own activities), an activity done or cancelled in the
 * chatter moves its Interactions tab and counts: the form reloads, as 19.0's reload_on_activity would.
 */
patch(Chatter.prototype, {
    onActivityChanged(thread) {
        super.onActivityChanged(thread);
        if (thread?.model === "recurring.interaction" && !this.props.hasParentReloadOnActivityChanged) {
            this.reloadParentView();
        }
    },
});
