/** The seed's workflow in the web client: add a recurrence, generate with confirmation, see its interactions. */
import { registry } from "@web/core/registry";

/**
 * Choose a selection field's value: 18.0 draws a <select>, 19.0 a menu whose item is clicked.
 * The second step does nothing on 18.0 (its trigger is then the field itself).
 */
export function selectionSteps(field, value, label) {
    const widget = `.o_field_widget[name=${field}]`;
    return [
        {
            content: `Choose “${label}”`,
            trigger: `${widget} select, ${widget} .o_select_menu_toggler`,
            async run(helpers) {
                if (this.anchor.tagName === "SELECT") {
                    await helpers.select(value);
                } else {
                    await helpers.click();
                }
            },
        },
        {
            content: `“${label}” chosen`,
            trigger: `${widget}:has(select), .o_select_menu_item:contains(${label})`,
            async run(helpers) {
                if (this.anchor.classList.contains("o_select_menu_item")) {
                    await helpers.click();
                }
            },
        },
    ];
}

registry.category("web_tour.tours").add("recurring_interactions_tour", {
    url: "/odoo",
    steps: () => [
        {
            // stepUtils.showAppsMenuItem(), whose module moved in 19.0.
            isActive: ["auto", "community", "desktop"],
            trigger: ".o_navbar_apps_menu button:enabled",
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            content: "Open Recurrences from the app launcher",
            trigger: '.o_app[data-menu-xmlid="recurring_interactions.menu_recurring_root"]',
            run: "click",
        },
        {
            content: "Add recurring interaction",
            trigger: "button[name=action_add_recurring_interaction]",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour follow-up",
        },
        {
            content: "Target a customer",
            trigger: ".o_field_widget[name=resource_ref] select",
            run: "select res.partner",
        },
        {
            content: "Find the customer",
            trigger: ".o_field_widget[name=resource_ref] input",
            run: "edit Tour Customer",
        },
        {
            content: "Pick the customer",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Customer)",
            run: "click",
        },
        {
            content: "The weekday of the start date is pre-selected",
            trigger: ".o_field_widget[name=rrule_summary]:contains(Every week on)",
        },
        ...selectionSteps("end_type", '"count"', "Number of repetitions"),
        {
            content: "Four times",
            trigger: ".o_field_widget[name=count] input",
            run: "edit 4 && click body",
        },
        {
            content: "The preview lists the four dates before anything is generated",
            trigger: ".o_field_widget[name=preview_html] ol:has(li:nth-child(4)):not(:has(li:nth-child(5)))",
        },
        {
            content: "Generate interactions",
            trigger: "button[name=action_generate_confirm]:contains(Generate interactions)",
            run: "click",
        },
        {
            content: "Confirm with OK",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Once generated, the button offers a regeneration",
            trigger: "button[name=action_generate_confirm]:contains(Regenerate)",
        },
        {
            content: "Open the interactions under the recurrence",
            trigger: ".o_notebook_headers a:contains(Interactions)",
            run: "click",
        },
        {
            content: "The next 14 days are planned: three interactions are listed",
            trigger:
                ".o_field_widget[name=interaction_ids] tbody:has(.o_data_row:nth-child(3)):not(:has(.o_data_row:nth-child(4)))",
        },
        {
            content: "Below them, the fourth date is still to come",
            trigger: ".o_field_widget[name=upcoming_html] ul:has(li:nth-child(1)):not(:has(li:nth-child(2)))",
        },
        {
            content: "Each one is planned",
            trigger: ".o_field_widget[name=interaction_ids] .o_data_row:first .o_field_badge:contains(Planned), .o_field_widget[name=interaction_ids] .o_data_row:first .o_field_badge:contains(Today)",
        },
    ],
});

/** A text shown is exactly `text`, or the step fails. */
function assertText(text) {
    return function () {
        if (this.anchor.textContent.trim() !== text) {
            throw new Error(`Expected “${text}”, read “${this.anchor.textContent.trim()}”`);
        }
    };
}

/**
 * The seed's second example, built from scratch: a recurrence over a live filter that selects nothing until a
 * condition is set, each record's salesperson getting its activity, and past 100 activities a tick to confirm.
 * Run in debug mode: the condition is typed in the domain editor's code box.
 */
registry.category("web_tour.tours").add("recurring_interactions_filter_tour", {
    url: "/odoo/action-recurring_interactions.action_recurring_interaction?debug=1",
    steps: () => [
        {
            content: "Add recurring interaction",
            trigger: "button[name=action_add_recurring_interaction]",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour quote follow-up",
        },
        {
            content: "Schedule it on every record of a filter",
            trigger: ".o_field_widget[name=target_mode] input[data-value=filter]",
            run: "click",
        },
        {
            content: "A new filter has no condition yet",
            trigger: "div[name=filter_empty]:contains(No condition yet)",
        },
        {
            content: "It selects no record",
            trigger: ".o_field_widget[name=filter_count]:visible",
            run: assertText("0"),
        },
        {
            content: "Each record's salesperson gets its activity",
            trigger: ".o_field_widget[name=user_field_id] input",
            run: "edit Salesperson",
        },
        {
            content: "Pick the salesperson field",
            trigger: ".o-autocomplete--dropdown-item a:contains(Salesperson)",
            run: "click",
        },
        {
            content: "A filter plans only the next days",
            trigger: ".o_field_widget[name=plan_ahead] select:disabled, .o_field_widget[name=plan_ahead]:contains(Only the next days)",
        },
        {
            content: "Open the rule as an RRULE",
            trigger: ".o_notebook_headers a:contains(iCalendar Rule)",
            run: "click",
        },
        {
            content: "Paste a rule the form cannot hold",
            trigger: ".o_field_widget[name=rrule] input",
            run: "edit FREQ=MONTHLY;BYDAY=MO,TU && click body",
        },
        {
            content: "It says why at once, before any save, and keeps what was typed",
            trigger: ".o_field_widget[name=rrule_error]:contains(cannot be used)",
        },
        {
            content: "Paste an hourly rule",
            trigger: ".o_field_widget[name=rrule] input",
            run: "edit FREQ=HOURLY && click body",
        },
        {
            content: "Refused",
            trigger: ".o_field_widget[name=rrule_error]:contains(FREQ=HOURLY)",
        },
        {
            content: "Open the next dates",
            trigger: ".o_notebook_headers a:contains(Next Dates)",
            run: "click",
        },
        {
            content: "They show the error, not the dates of the rule before",
            trigger: ".o_field_widget[name=preview_html]:has(.text-danger:contains(FREQ=HOURLY)):not(:has(ol))",
        },
        {
            content: "Back to the RRULE",
            trigger: ".o_notebook_headers a:contains(iCalendar Rule)",
            run: "click",
        },
        {
            content: "Paste Tuesday and Thursday",
            trigger: ".o_field_widget[name=rrule] input",
            run: "edit FREQ=WEEKLY;BYDAY=TU,TH && click body",
        },
        {
            content: "The summary follows the pasted rule before any save",
            trigger: ".o_field_widget[name=rrule_summary]:contains(Tuesday, Thursday)",
        },
        {
            content: "The form says the next date and who it plans for",
            trigger: ".o_field_widget[name=next_plan_summary]:contains(matching today)",
        },
        {
            content: "Generate interactions before any condition",
            trigger: "button[name=action_generate_confirm]:contains(Generate interactions)",
            run: "click",
        },
        {
            content: "Refused with a sentence",
            trigger: ".o_error_dialog:contains(has no condition yet)",
        },
        {
            content: "Close it",
            trigger: ".o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Edit the filter",
            trigger: "body:not(:has(.modal)) .o_field_domain_dialog_button",
            run: "click",
        },
        {
            content: "Type a condition: the companies",
            trigger: ".modal .o_domain_selector_debug_container textarea",
            run: 'edit [("is_company", "=", True)] && click .modal-header',
        },
        {
            content: "Confirm the condition",
            trigger: ".modal:has(.o_domain_selector_debug_container) .modal-footer .btn-primary:enabled",
            run: "click",
        },
        {
            content: "The condition is set",
            trigger: "body:not(:has(.modal)) .o_form_sheet:not(:has(div[name=filter_empty]:visible))",
        },
        {
            content: "Generate interactions",
            trigger: "button[name=action_generate_confirm]:contains(Generate interactions)",
            run: "click",
        },
        {
            content: "The confirmation says how many activities, for how many records, over which dates",
            trigger:
                ".modal .o_field_widget[name=message]:contains(new activities will be planned for):contains(records, from):contains(matching today)",
        },
        {
            content: "Past 100 activities, OK without the tick",
            trigger: ".modal:has(.o_field_widget[name=confirm_many]) .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "is refused with a sentence",
            trigger: ".o_error_dialog:contains(tick)",
        },
        {
            content: "Close it",
            trigger: ".o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Tick “Plan them all”",
            trigger: "body:not(:has(.o_error_dialog)) .modal .o_field_widget[name=confirm_many] input",
            run: "click",
        },
        {
            content: "OK",
            trigger: ".modal:has(.o_field_widget[name=confirm_many]) .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Generated: the button offers a regeneration",
            trigger: "button[name=action_generate_confirm]:contains(Regenerate)",
        },
        {
            content: "Open the interactions under the recurrence",
            trigger: ".o_notebook_headers a:contains(Interactions)",
            run: "click",
        },
        {
            content: "Each interaction says its record",
            trigger: ".o_field_widget[name=interaction_ids] th[data-name=res_name]",
        },
        {
            content: "They open grouped by record",
            trigger: "button[name=action_open_interactions]:contains(Record)",
            run: "click",
        },
        {
            content: "Grouped by record",
            trigger: ".o_group_header",
        },
    ],
});

/** The seed's first example, an internal task: done in the recurrence's own chatter, its list follows at once. */
registry.category("web_tour.tours").add("recurring_interactions_internal_tour", {
    steps: () => [
        {
            content: "Open the interactions under the recurrence",
            trigger: ".o_notebook_headers a:contains(Interactions)",
            run: "click",
        },
        {
            content: "Today's check is open",
            trigger: ".o_field_widget[name=interaction_ids] .o_data_row:first .o_field_badge:contains(Today)",
        },
        {
            content: "Mark it done in the chatter",
            trigger: ".o-mail-Activity:first button:contains(Mark Done)",
            run: "click",
        },
        {
            content: "Done",
            trigger: ".o-mail-ActivityMarkAsDone button:contains(Done):not(:contains(Next))",
            run: "click",
        },
        {
            content: "The list under the recurrence says it is done, without reloading the page",
            trigger: ".o_field_widget[name=interaction_ids] .o_data_row:first .o_field_badge:contains(Done)",
        },
        {
            content: "The dates still to come are listed below",
            trigger: ".o_field_widget[name=upcoming_html] li",
        },
    ],
});
