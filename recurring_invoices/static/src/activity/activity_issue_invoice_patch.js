/**
 * "Issue invoice" (or "Issue bill") activities: the popover shows what the invoice bills and how early,
 * marking one done issues it (the server does it in mail.activity._action_done), then Odoo's send window
 * opens for it and the form around the chatter is reloaded. Cancelling one asks first.
 */
import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { ActivityMarkAsDone } from "@mail/core/web/activity_markasdone_popover";
import { onWillStart, useState } from "@odoo/owl";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { formatDate, deserializeDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

// The activity model: 18.0 @mail/core/web/activity_model; 19.0 @mail/core/common/activity_model (its
// markAsDone comes from @mail/core/web/activity_model_patch, loaded before us as a mail asset).
const ActivityModel = (
    odoo.loader.modules.get("@mail/core/common/activity_model") ||
    odoo.loader.modules.get("@mail/core/web/activity_model")
).Activity;

patch(ActivityModel.prototype, {
    get isRecurringBill() {
        return this.recurring_invoice_move_type === "in_invoice";
    },
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
        // The popover opens what this returns: the send window, or the confirmation window when early.
        return this.issueRecurringInvoice();
    },
    /**
     * Issue this activity's invoice; confirmEarly: the person pressed "Issue N days early".
     * A second click while the first is on its way does nothing (the server would say the same).
     */
    async issueRecurringInvoice({ confirmEarly = false } = {}) {
        if (this.issuingRecurringInvoice) {
            return false;
        }
        this.issuingRecurringInvoice = true;
        try {
            const action = await this.store.env.services.orm.call(
                "mail.activity",
                "action_issue_recurring_invoice",
                [[this.id]],
                { feedback: this.feedback || false, confirm_early: confirmEarly }
            );
            this.store.activityBroadcastChannel?.postMessage({
                type: "RELOAD_CHATTER",
                payload: { id: this.res_id, model: this.res_model },
            });
            return action;
        } finally {
            this.issuingRecurringInvoice = false;
        }
    },
});

/** The "Issue invoice" popover says what the invoice bills before it is posted, and how early. */
patch(ActivityMarkAsDone.prototype, {
    setup() {
        super.setup();
        this.issueInfo = useState({ loaded: false });
        onWillStart(async () => {
            if (this.props.activity.is_recurring_invoice_issue) {
                const info = await this.env.services.orm.call(
                    "mail.activity",
                    "get_recurring_invoice_issue_info",
                    [[this.props.activity.id]]
                );
                Object.assign(this.issueInfo, info || {}, { loaded: true });
            }
        });
    },
    get issueButtonLabel() {
        const info = this.issueInfo;
        if (info.days_early) {
            return _t("Issue %s days early", info.days_early);
        }
        return this.props.activity.isRecurringBill ? _t("Issue bill") : _t("Issue invoice");
    },
    async onClickIssueRecurringInvoice() {
        const activity = this.props.activity;
        const thread = this.env.services["mail.store"].Thread.insert({
            model: activity.res_model,
            id: activity.res_id,
        });
        this.props.close?.();
        const action = await activity.issueRecurringInvoice({
            confirmEarly: Boolean(this.issueInfo.days_early),
        });
        thread.fetchNewMessages();
        this.props.onActivityChanged(thread);
        if (!action) {
            return;
        }
        await new Promise((resolve) => {
            this.env.services.action.doAction(action, { onClose: resolve });
        });
        this.props.onActivityChanged(thread);
    },
});

/** Cancelling dismisses the reminder: say what becomes of that date's invoice before doing it. */
function confirmCancel(component, cancel) {
    const activity = component.props.activity;
    if (!activity.is_recurring_invoice_issue) {
        return cancel();
    }
    component.env.services.dialog.add(ConfirmationDialog, {
        title: activity.isRecurringBill ? _t("Cancel “Issue bill”") : _t("Cancel “Issue invoice”"),
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
    /** Issued from the chatter, the form around it is reloaded too: invoice count, next date, status. */
    async onClickMarkAsDone(ev) {
        if (!this.props.activity.is_recurring_invoice_issue || this.markDonePopover.isOpen) {
            return super.onClickMarkAsDone(ev);
        }
        this.markDonePopover.open(ev.currentTarget, {
            activity: this.props.activity,
            hasHeader: true,
            onActivityChanged: (thread) => {
                this.props.onActivityChanged(thread);
                this.props.reloadParentView?.();
            },
        });
    },
});

patch(ActivityListPopoverItem.prototype, {
    unlink() {
        confirmCancel(this, () => super.unlink());
    },
});
