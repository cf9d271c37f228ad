"""A small help centre (title, body) for trying the knowledge base: search tests and the search benchmark."""

from __future__ import annotations

SAMPLE_ARTICLES: tuple[tuple[str, str], ...] = (
    (
        "Resetting a forgotten password",
        "Choose 'Forgot password' on the sign-in page and enter the email address on your profile. We send a "
        "link that works for one hour; follow it and pick a new password of at least twelve characters.",
    ),
    (
        "Turning on two-step verification",
        "Under Security, choose two-step verification and scan the code with an authenticator app. From then on "
        "signing in asks for the six-digit code as well as your password.",
    ),
    (
        "Requesting a refund",
        "Refunds go back to the original card within five working days of approval. Send the order number and "
        "the reason; items must be returned unused within thirty days.",
    ),
    (
        "Cancelling your subscription",
        "You can end the plan at any time from Billing. The service continues until the end of the period you "
        "paid for and no further payments are taken.",
    ),
    (
        "Updating the card we charge",
        "Open Billing, choose Payment method and enter the new card. The next invoice is charged to it; a failed "
        "payment is retried after three days.",
    ),
    (
        "Understanding your invoice",
        "Each invoice lists the plan, usage above the allowance, discounts and tax. Invoices are issued on the "
        "first of the month and can be downloaded as PDF.",
    ),
    (
        "Tracking a delivery",
        "The dispatch email holds a tracking number. Parcels usually arrive in two to four working days; the "
        "courier's site shows where the parcel is now.",
    ),
    (
        "Changing the delivery address",
        "Before dispatch you can change where an order goes from Orders, Edit address. Once the parcel has left "
        "the warehouse, ask the courier to redirect it.",
    ),
    (
        "Reporting a damaged item",
        "Photograph the item and the packaging and send the pictures with your order number within seven days. "
        "We replace the item or refund it, whichever you prefer.",
    ),
    (
        "Boiler pressure too low",
        "If the gauge reads below one bar, top up with the filling loop until it shows 1.5 bar, then close both "
        "valves. Call us if it keeps dropping: there may be a leak.",
    ),
    (
        "Booking an engineer visit",
        "Engineers visit on weekdays between eight and six. Choose a morning or afternoon slot online; we text "
        "you when the engineer is on the way.",
    ),
    (
        "No heating or hot water",
        "Check the thermostat is calling for heat and the timer is on. Reset the boiler with its reset button; if "
        "a fault code shows, note it before you contact us.",
    ),
    (
        "Submitting a meter reading",
        "Read the numbers left of the decimal point and enter them under Account, Meter readings. Regular "
        "readings keep bills accurate instead of estimated.",
    ),
    (
        "Moving home",
        "Tell us your moving date two weeks ahead. Take a final meter reading on the day; we close the old "
        "account and can set up supply at the new address.",
    ),
    (
        "Making a complaint",
        "Tell us what went wrong and what would put it right. We acknowledge within one working day and aim to "
        "resolve within eight weeks; the ombudsman can review it after that.",
    ),
    (
        "Closing your account",
        "Pay any balance due, then ask us to close the account. We delete personal data we no longer need and "
        "send a final statement.",
    ),
    (
        "Changing your email address",
        "Under Profile, enter the new address and confirm it from the message we send there. Notices go to the "
        "new address from then on.",
    ),
    (
        "Using the mobile app",
        "Install the app from your phone's store, sign in with your usual details and turn on notifications to "
        "hear about deliveries and visits.",
    ),
    (
        "Paying by direct debit",
        "Set up a direct debit under Billing with your bank's sort code and account number. Payments are taken "
        "on the date you choose each month.",
    ),
    (
        "Getting help with debt",
        "If you are struggling to pay, contact us before the due date. We can agree a payment plan and point "
        "you to free independent debt advice.",
    ),
    (
        "Data we keep and why",
        "We keep account, billing and contact history for as long as the law requires. You can ask for a copy "
        "of your data or for corrections at any time.",
    ),
    (
        "Opening hours and contact options",
        "Chat and phone lines are open eight to eight on weekdays and nine to five on Saturdays. Email is "
        "answered within one working day.",
    ),
    (
        "Applying a discount code",
        "Enter the code at checkout before paying. Codes cannot be combined and do not apply to orders already "
        "placed.",
    ),
    (
        "Returning an item",
        "Start a return from Orders within thirty days, print the label and drop the parcel at any collection "
        "point. The refund follows once the warehouse checks it.",
    ),
)
