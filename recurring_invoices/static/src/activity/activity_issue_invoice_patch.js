/**
 * "Issue invoice" activities: marking one done issues its invoice (the server does it in
 * mail.activity._action_done), then Odoo's send window opens for it. Cancelling one asks first.
 */
import { Activity as ActivityModel } from "@mail/core/web/activity_model";
import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { formatDate, deserializeDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

patch(ActivityModel.prototype, {
    async markAsDone(attachmentIds = []) {
        if (!this.is_recurring_invoice_issue) {
            return super.markAsDone(...arguments);
        }
        const action = await this.issueRecurringInvoice();
        if (action) {
            await this.store.env.services.action.doAction(action);
        }
    },
    async markAsDoneAndScheduleNext() {
        if (!this.is_recurring_invoice_issue) {
            return super.markAsDoneAndScheduleNext(...arguments);
        }
        // The popover opens what this returns: the send window of the issued invoice.
        return this.issueRecurringInvoice();
    },
    async issueRecurringInvoice() {
        const action = await this.store.env.services.orm.call(
            "mail.activity",
            "action_issue_recurring_invoice",
            [[this.id]],
            { feedback: this.feedback || false }
        );
        this.store.activityBroadcastChannel?.postMessage({
            type: "RELOAD_CHATTER",
            payload: { id: this.res_id, model: this.res_model },
        });
        return action;
    },
});

/** Cancelling dismisses the reminder: say what becomes of that date's invoice before doing it. */
function confirmCancel(component, cancel) {
    const activity = component.props.activity;
    if (!activity.is_recurring_invoice_issue) {
        return cancel();
    }
    component.env.services.dialog.add(ConfirmationDialog, {
        title: _t("Cancel “Issue invoice”"),
        body: _t(
            "No invoice is issued now for %s. The scheduled action still creates that date's invoice when it falls due, as the recurring invoice says (a draft, or posted); to skip that date, delete that invoice while it is a draft.",
            formatDate(deserializeDate(activity.recurring_date))
        ),
        confirmLabel: _t("Cancel the activity"),
        cancelLabel: _t("Keep it"),
        confirm: () => cancel(),
        cancel: () => {},
    });
}

patch(Activity.prototype, {
    async unlink() {
        confirmCancel(this, () => super.unlink());
    },
});

patch(ActivityListPopoverItem.prototype, {
    unlink() {
        confirmCancel(this, () => super.unlink());
    },
});
