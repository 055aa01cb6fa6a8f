/** "Repeat" in a customer's Schedule Activity dialog: the scheduled activity starts a recurrence. */
import { registry } from "@web/core/registry";
import { selectionSteps } from "@recurring_interactions/../tests/tours/recurring_interaction_tour";

/** Tick a weekday, unless the due date's weekday already ticked it. */
function weekdayStep(field, label) {
    return {
        content: `Repeat on ${label} too`,
        trigger: `.modal .o_field_widget[name=${field}] input`,
        async run(helpers) {
            if (!this.anchor.checked) {
                await helpers.click();
            }
        },
    };
}

registry.category("web_tour.tours").add("recurring_interactions_activity_schedule_repeat_tour", {
    steps: () => [
        {
            // "Activities" on 18.0, "Activity" on 19.0.
            content: "Open the Schedule Activity dialog from the customer's chatter",
            trigger: ".o-mail-Chatter button.o-mail-Chatter-activity",
            run: "click",
        },
        {
            content: "Repeat it",
            trigger: ".modal .o_field_widget[name=recurring_repeat] input",
            run: "click",
        },
        {
            content: "The due date's weekday is pre-selected",
            trigger: ".modal .o_field_widget[name=rrule_summary]:contains(Every week on)",
        },
        weekdayStep("mon", "Monday"),
        weekdayStep("thu", "Thursday"),
        {
            content: "Monday and Thursday are in the rule",
            trigger: ".modal .o_field_widget[name=rrule_summary]:contains(Monday):contains(Thursday)",
        },
        ...selectionSteps("end_type", '"count"', "Number of repetitions"),
        {
            content: "Four times",
            trigger: ".modal .o_field_widget[name=count] input",
            run: "edit 4 && click .modal .o_field_widget[name=rrule_summary]",
        },
        {
            content: "The next four dates are previewed",
            trigger: ".modal .o_field_widget[name=preview_html] ol:has(li:nth-child(4)):not(:has(li:nth-child(5)))",
        },
        {
            content: "Schedule (18.0) or Save (19.0)",
            trigger: ".modal-footer button[name=action_schedule_activities]",
            run: "click",
        },
        {
            content: "The dialog is closed, the activity is in the chatter",
            trigger: "body:not(:has(.modal)) .o-mail-Chatter .o-mail-Activity",
        },
    ],
});
