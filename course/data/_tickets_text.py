"""The tickets world's phrase bank: categories, intents, paraphrase templates, synonyms, other languages.

Every ticket is written from one *intent* (a precise reason for writing, e.g. ``billing.duplicate_charge``)
of one category.  An intent has several formal paraphrases; the intents of the *shifted* categories also
have casual ones, which customers only use after the launch date (the new acquisition channel writes
differently): the words change, the meaning does not.  ``{slot}`` marks a word drawn from ``SYNONYMS``.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("billing", "access", "bug", "cancellation_intent", "feature_request", "family_plan")
"""Every category, in a fixed order; the last one exists only from the launch date on."""
NEW_CATEGORY = "family_plan"
SHIFTED_CATEGORIES = ("billing", "access", "cancellation_intent")
"""Categories whose customers start writing in a casual register from the launch date on."""
URGENCIES = ("low", "normal", "high", "urgent")
LANGUAGES = ("en", "es", "fr", "de")

CATEGORY_DESCRIPTIONS = {
    "billing": "Charges, payments, refunds, invoices, prices and payment methods.",
    "access": "Signing in: passwords, locked accounts, two-factor codes, the account's email address.",
    "bug": "Something in the product is broken: crashes, errors, lost or unsynced data, slowness.",
    "cancellation_intent": "The customer wants to cancel, leave or close the subscription.",
    "feature_request": "The customer asks for something the product does not do yet.",
    "family_plan": "The family plan launched mid-period: inviting, sharing with and managing members.",
}
"""One line per category: what a zero-shot prompt can say about each label."""


@dataclass(frozen=True)
class Intent:
    """One precise reason for writing: its subjects, formal and casual paraphrases, optional details."""

    name: str
    category: str
    subjects: tuple[str, ...]
    formal: tuple[str, ...]
    casual: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    urgency: tuple[float, float, float, float] = (0.15, 0.55, 0.25, 0.05)


SYNONYMS: dict[str, tuple[str, ...]] = {
    "charged": ("charged", "billed", "debited", "invoiced"),
    "payment": ("payment", "charge", "transaction"),
    "payments": ("payments", "charges", "transactions"),
    "card": ("card", "credit card", "bank card", "debit card"),
    "statement": ("bank statement", "card statement", "statement", "bank app"),
    "period": ("this month", "last month", "my renewal", "the annual renewal", "March", "the last cycle"),
    "subscription": ("subscription", "plan", "membership"),
    "account": ("account", "profile"),
    "app": ("app", "website", "web app", "desktop app", "dashboard"),
    "feature": ("the reports page", "the calendar", "the editor", "playlists", "the search page", "settings"),
    "device": ("laptop", "phone", "tablet", "work computer", "iPad"),
    "tool": ("Slack", "Google Calendar", "Zapier", "Notion", "Outlook", "Dropbox"),
    "competitor": ("a cheaper service", "a competitor", "another provider", "something else"),
    "relative": ("wife", "husband", "son", "daughter", "partner", "mother", "brother"),
    "years": ("two", "three", "five", "several", "many"),
    "plan": ("basic", "standard", "premium"),
    "broken": ("broken", "not working", "failing", "acting up"),
    "quickly": ("quickly", "soon", "as soon as possible", "today"),
    "want": ("want", "would like", "need", "wish"),
}

_I = Intent
INTENTS: tuple[Intent, ...] = (
    # billing
    _I(
        "duplicate_charge",
        "billing",
        ("Charged twice", "Double charge on my {card}", "Duplicate {payment}", "Billed two times"),
        (
            "I was {charged} twice for {period}.",
            "There are two identical {payments} on my {statement} for {period}.",
            "My {card} shows the same {payment} two times and I only have one {subscription}.",
            "You took the money twice for {period}, please reverse one of them.",
            "I see a duplicate {payment} for my {subscription} on my {statement}.",
        ),
        (
            "got hit 2x on my card this month??",
            "yo u guys took my money twice lol not funny",
            "pls fix, double dipped on my card",
            "why 2 charges same day, only signed up once",
        ),
        ("The amount was the same both times.", "It happened on the same day."),
        (0.05, 0.45, 0.4, 0.1),
    ),
    _I(
        "refund",
        "billing",
        ("Refund request", "Money back please", "Refund for {period}", "Reimbursement"),
        (
            "I would like a refund for {period}.",
            "Please reimburse the renewal, I did not mean to renew.",
            "Could you return the money for {period}? I never used the service.",
            "I am asking for my money back for the last {payment}.",
        ),
        (
            "want my money back for this month",
            "can i get a refund? didnt even use it",
            "give me my cash back pls, renewed by accident",
        ),
        ("I only noticed it today.", "The renewal went through without a reminder."),
    ),
    _I(
        "invoice",
        "billing",
        ("Invoice question", "Need a receipt", "VAT invoice", "Wrong address on invoice"),
        (
            "I need an invoice with my company's VAT number on it.",
            "Where can I download the receipts for my {subscription}?",
            "The invoice for {period} shows the wrong billing address.",
            "Our accounting team needs a proper invoice for every {payment}.",
        ),
        ("where do i get receipts", "need the invoice thing for work, cant find it"),
        ("It is for our expense reports.",),
    ),
    _I(
        "payment_method",
        "billing",
        ("Update card", "Payment declined", "Change payment method", "New card"),
        (
            "How do I update the {card} on my {account}?",
            "My {card} expired and I need to add a new one.",
            "The {payment} keeps getting declined although my {card} works elsewhere.",
            "I would like to pay by PayPal instead of my {card}.",
        ),
        ("card expired how do i put the new one", "payment keeps failing, card is fine tho"),
        ("My bank says everything is fine on their side.",),
    ),
    _I(
        "price_increase",
        "billing",
        ("Price went up", "Why is my bill higher?", "Unexpected price change"),
        (
            "Why did the price of my {subscription} go up?",
            "My bill is higher than last month and nobody told me about a price change.",
            "The {plan} plan costs more now, was I informed about this increase?",
        ),
        ("bill went up?? nobody told me", "y is it more expensive now"),
        ("I have been a loyal customer.",),
        (0.2, 0.6, 0.18, 0.02),
    ),
    # access
    _I(
        "password_reset",
        "access",
        ("Password reset not working", "Reset link never arrives", "Forgot password"),
        (
            "I cannot reset my password, the reset email never arrives.",
            "The password reset link says it has expired every time I click it.",
            "I forgot my password and the reset form does nothing.",
            "The forgot-password email is not in my inbox or my spam folder.",
        ),
        (
            "cant reset pw, no email comes",
            "reset link dead, tried 5 times",
            "forgot my pw and the thing doesnt send anything",
        ),
        ("I tried on my {device} as well.",),
        (0.05, 0.4, 0.45, 0.1),
    ),
    _I(
        "locked_out",
        "access",
        ("Account locked", "Locked out of my {account}", "Too many attempts"),
        (
            "My {account} is locked after too many sign-in attempts.",
            "I am locked out of my {account} and cannot get back in.",
            "The site says my {account} has been suspended for security reasons.",
        ),
        (
            "locked out of my acct",
            "cant get in anymore, says locked",
            "acct blocked for no reason, let me back in",
        ),
        ("I need to get in {quickly}.",),
        (0.02, 0.3, 0.5, 0.18),
    ),
    _I(
        "two_factor",
        "access",
        ("2FA code not working", "Lost my authenticator", "Verification code"),
        (
            "The two-factor code from my authenticator is always rejected.",
            "I lost the {device} with my authenticator app and cannot sign in.",
            "The verification code by text message never arrives.",
        ),
        ("2fa code never comes", "new phone, lost the authenticator, now im stuck"),
        (),
        (0.02, 0.35, 0.5, 0.13),
    ),
    _I(
        "login_error",
        "access",
        ("Cannot log in", "Sign-in fails", "Login problem"),
        (
            "I cannot log in, the sign-in page says my credentials are invalid.",
            "Signing in fails with my correct email and password.",
            "After I enter my details the login page just reloads.",
        ),
        ("cant login", "login not working on my end", "keeps saying wrong password but its right"),
        ("It worked yesterday.",),
        (0.05, 0.4, 0.42, 0.13),
    ),
    _I(
        "email_change",
        "access",
        ("Change my email", "New email address", "Update login email"),
        (
            "I need to change the email address I use to sign in.",
            "My old work email no longer exists, how do I move my {account} to a new address?",
        ),
        ("need to switch my login email", "old email is gone, how do i change it"),
        (),
        (0.25, 0.6, 0.13, 0.02),
    ),
    # bug
    _I(
        "crash",
        "bug",
        ("{app} crashes", "Crash when opening {feature}", "The {app} keeps closing"),
        (
            "The {app} crashes every time I open {feature}.",
            "As soon as I click on {feature} everything freezes and closes.",
            "The {app} quits unexpectedly on my {device} since the last update.",
        ),
        details=("I have already reinstalled it.", "It started after the latest update."),
        urgency=(0.03, 0.35, 0.42, 0.2),
    ),
    _I(
        "sync",
        "bug",
        ("Data not syncing", "Changes lost", "Sync problem between devices"),
        (
            "My changes do not sync between my {device} and the {app}.",
            "Edits I made yesterday are gone, nothing was saved.",
            "The {app} shows old data on one device and new data on the other.",
        ),
        details=("I lost a whole afternoon of work.",),
        urgency=(0.03, 0.35, 0.45, 0.17),
    ),
    _I(
        "slow",
        "bug",
        ("Very slow", "Pages take forever", "Performance issue"),
        (
            "The {app} has become extremely slow, pages take a minute to load.",
            "Opening {feature} takes forever and sometimes times out.",
            "Everything is sluggish since last week.",
        ),
        urgency=(0.1, 0.55, 0.3, 0.05),
    ),
    _I(
        "error_message",
        "bug",
        ("Error when exporting", "Error 500", "Something went wrong message"),
        (
            "I get an error 500 when I export my data.",
            "A 'something went wrong' message appears whenever I save in {feature}.",
            "The export to CSV produces an empty file.",
        ),
        details=("The error has a reference code but it changes every time.",),
        urgency=(0.05, 0.45, 0.38, 0.12),
    ),
    # cancellation_intent
    _I(
        "cancel_now",
        "cancellation_intent",
        ("Cancel my {subscription}", "Close my account", "Please cancel"),
        (
            "I {want} to cancel my {subscription}.",
            "Please close my {account} and stop all future {payments}.",
            "How do I end my {subscription}? I cannot find the option.",
            "I am not renewing, please terminate my {subscription} at the end of the period.",
        ),
        (
            "how do i get out of this",
            "done with this, end it pls",
            "stop my sub asap",
            "i'm out, shut my acct down",
        ),
        (),
        (0.1, 0.6, 0.25, 0.05),
    ),
    _I(
        "too_expensive",
        "cancellation_intent",
        ("Too expensive", "Leaving", "Switching to {competitor}"),
        (
            "The service has become too expensive for me, I am going to leave.",
            "I am switching to {competitor}, it costs half as much.",
            "At this price I will not stay, please cancel at the renewal.",
        ),
        ("too pricey now, bye", "found {competitor}, cheaper, cancelling"),
        (),
        (0.15, 0.65, 0.18, 0.02),
    ),
    _I(
        "not_using",
        "cancellation_intent",
        ("No longer needed", "Not using it anymore", "Please stop my {subscription}"),
        (
            "I hardly use the service anymore, so I would like to stop my {subscription}.",
            "We no longer need the {subscription}, please do not renew it.",
            "I have not opened the {app} in months and do not want to keep paying.",
        ),
        ("dont use it anymore, stop charging me", "never use it lol, unsubscribe me"),
        (),
        (0.2, 0.65, 0.13, 0.02),
    ),
    # feature_request
    _I(
        "dark_mode",
        "feature_request",
        ("Dark mode please", "Feature request: dark theme", "Suggestion"),
        (
            "Please add a dark mode, the white screen hurts my eyes at night.",
            "It would be great to have a dark theme option in the {app}.",
            "Any plans for a dark colour scheme?",
        ),
        urgency=(0.7, 0.28, 0.02, 0.0),
    ),
    _I(
        "integration",
        "feature_request",
        ("Integration with {tool}", "Feature request", "Idea: connect to {tool}"),
        (
            "I would love an integration with {tool}.",
            "Could you connect the {app} to {tool}? We use it every day.",
            "Is an official {tool} integration on your roadmap?",
        ),
        urgency=(0.65, 0.32, 0.03, 0.0),
    ),
    _I(
        "export_format",
        "feature_request",
        ("Export to PDF", "More export options", "Suggestion for exports"),
        (
            "Could you add an export to PDF and Excel?",
            "It would help a lot if I could export {feature} as a spreadsheet.",
            "Please let us download our data in more formats.",
        ),
        urgency=(0.65, 0.32, 0.03, 0.0),
    ),
    _I(
        "offline_mode",
        "feature_request",
        ("Offline mode", "Work without internet", "Feature idea"),
        (
            "An offline mode would be very useful when I travel.",
            "Please make it possible to use the {app} without an internet connection.",
            "I wish I could keep working on the train without a connection.",
        ),
        urgency=(0.7, 0.28, 0.02, 0.0),
    ),
    # family_plan (exists only from the launch date on)
    _I(
        "invite_member",
        "family_plan",
        ("Family plan invite", "Cannot invite my {relative}", "Invitation link expired"),
        (
            "How do I invite my {relative} to the family plan?",
            "The invitation I sent to my {relative} for the family plan has expired.",
            "My {relative} never received the family plan invite email.",
        ),
        urgency=(0.15, 0.6, 0.22, 0.03),
    ),
    _I(
        "member_limit",
        "family_plan",
        ("Family plan members", "How many people on the family plan?"),
        (
            "How many members can join one family plan?",
            "The family plan says it is full but we are only four people.",
            "Can people in another household be part of my family plan?",
        ),
        urgency=(0.3, 0.6, 0.1, 0.0),
    ),
    _I(
        "remove_member",
        "family_plan",
        ("Remove someone from family plan", "Leave the family plan"),
        (
            "How do I remove a member from my family plan?",
            "My {relative} wants to leave our family plan and keep their own history.",
            "I want to hand over the family plan to my {relative} as the new organiser.",
        ),
        urgency=(0.25, 0.6, 0.13, 0.02),
    ),
    _I(
        "shared_library",
        "family_plan",
        ("Shared items missing", "Family sharing not working"),
        (
            "Items I share with my family plan members do not show up on their side.",
            "My {relative} cannot see the playlists I shared in our family plan.",
            "Family sharing shows an empty library for the other members.",
        ),
        urgency=(0.1, 0.5, 0.33, 0.07),
    ),
)
"""Every intent, grouped by category in the order of ``CATEGORIES``."""

CATEGORY_MIX = {
    "billing": 0.25,
    "access": 0.2,
    "bug": 0.22,
    "cancellation_intent": 0.13,
    "feature_request": 0.2,
    "family_plan": 0.0,
}
"""Share of each category before the launch; after it, ``NEW_CATEGORY_SHARE`` goes to the new one."""
NEW_CATEGORY_SHARE = 0.12

GREETINGS = ("Hi,", "Hello,", "Hello team,", "Hey,", "Good morning,", "Dear support,", "Hi there,", "")
CASUAL_GREETINGS = ("hey", "hi", "yo", "", "", "")
CONTEXT = (
    "I have been a customer for {years} years.",
    "I am on the {plan} plan.",
    "This is the second time I am writing about this.",
    "I mostly use the {app} on my {device}.",
    "I could not find an answer in the help centre.",
    "My colleague has the same problem.",
)
CLOSINGS = ("Thanks.", "Thank you in advance.", "Regards,", "Best,", "Cheers,", "Please help.", "", "")
SIGNATURES = ("Anna", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "")
CASUAL_CLOSINGS = ("thx", "ty", "pls", "", "", "")
URGENCY_CUES = {
    "low": ("No rush at all.", "Whenever you have time.", "Just a suggestion, not urgent."),
    "normal": ("",),
    "high": ("Please look into this soon.", "This is quite annoying.", "I need this sorted this week."),
    "urgent": (
        "This is urgent, my whole team is blocked.",
        "Please fix this today, we have a deadline.",
        "URGENT: I cannot work at all.",
        "I need this solved immediately.",
    ),
}
