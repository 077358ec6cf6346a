"""The help centre of the tickets world: articles and graded relevance judgements for English tickets.

Each intent has one article that answers it (grade 3).  Articles that an agent would also link name the
intent in their ``related`` list (grade 2); other articles of the same category are marginally useful
(grade 1); everything else is not relevant (grade 0).  Articles are written in help-centre language, not
in the customers' words, so exact word matching and meaning-based retrieval disagree on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Article:
    """One help-centre article: the intent it answers (or None), its category, text and related intents."""

    intent: str | None
    category: str
    title: str
    body: str
    related: tuple[str, ...] = ()


ARTICLES: tuple[Article, ...] = (
    Article("duplicate_charge", "billing", "Why do I see two charges?",
            "A pending authorisation can look like a second charge. It disappears within five working days. "
            "If both charges are settled, contact billing with the dates and we reverse the extra one.",
            ("refund",)),
    Article("refund", "billing", "Refund policy",
            "Renewals can be refunded within 14 days if the subscription was not used. Refunds go back to "
            "the original payment method and take up to ten days to appear.",
            ("cancel_now", "duplicate_charge")),
    Article("invoice", "billing", "Download invoices and add tax details",
            "Every invoice is available under Settings > Billing > History as a PDF. Add a company name "
            "and VAT ID before the next renewal so that it appears on future documents."),
    Article("payment_method", "billing", "Change or update your payment method",
            "Go to Settings > Billing and choose Replace. We accept major cards and PayPal. A declined "
            "payment is retried three times over a week before the subscription is paused.",
            ("duplicate_charge",)),
    Article("price_increase", "billing", "Understanding price changes",
            "Prices are reviewed once a year. Existing members receive an email 30 days before a new price "
            "applies at their next renewal. Annual contracts keep their price until renewal.",
            ("too_expensive",)),
    Article("password_reset", "access", "Reset your password",
            "Use Forgot password on the sign-in page. The message comes from no-reply and expires after one "
            "hour. Check spam and quarantine folders, and add our domain to your safe senders.",
            ("login_error",)),
    Article("locked_out", "access", "Account locked after failed attempts",
            "After ten failed attempts an account is locked for 30 minutes to protect it. Wait, then reset "
            "your password. Accounts suspended for security need a verified identity check.",
            ("password_reset", "login_error")),
    Article("two_factor", "access", "Two-step verification troubleshooting",
            "Codes depend on your device clock: enable automatic time. If you replaced your device, use one "
            "of the backup codes saved at setup, or request an identity check to disable verification."),
    Article("login_error", "access", "Cannot sign in",
            "Clear cookies, check caps lock and make sure you use the address the membership was created "
            "with. Single sign-on members must start from their company portal.",
            ("password_reset", "locked_out")),
    Article("email_change", "access", "Change the address you sign in with",
            "Open Profile > Sign-in address, enter the new address and confirm the link we send to it. If "
            "you no longer have the old mailbox, request an identity check.", ("login_error",)),
    Article("crash", "bug", "The application closes unexpectedly",
            "Update to the latest version, restart the device and clear the local cache. If it still quits, "
            "send the diagnostic report from Help > Report a problem.", ("slow",)),
    Article("sync", "bug", "Changes missing on another device",
            "Synchronisation needs both devices online and signed in to the same membership. Open Settings > "
            "Sync to force a refresh; the version history restores edits from the last 30 days."),
    Article("slow", "bug", "Improve loading speed",
            "Large libraries load in pages. Disable browser extensions, check the status page for incidents "
            "and try the desktop application, which caches data locally.", ("crash",)),
    Article("error_message", "bug", "Error codes and failed exports",
            "An error with a reference code is logged on our side. Exports above 50,000 rows run in the "
            "background and arrive by email; an empty file means the filters matched nothing.",
            ("export_format",)),
    Article("cancel_now", "cancellation_intent", "End your membership",
            "Go to Settings > Membership > End membership. You keep access until the end of the paid period "
            "and no further payments are taken. Data is kept for 90 days in case you return.",
            ("refund", "not_using")),
    Article("too_expensive", "cancellation_intent", "Cheaper ways to stay",
            "Switch to the basic plan or to annual billing to save up to 15 %. Students and non-profits get "
            "a discount on request.", ("price_increase", "cancel_now")),
    Article("not_using", "cancellation_intent", "Pause instead of leaving",
            "A membership can be paused for up to three months without payments. Your library and settings "
            "stay as they are.", ("cancel_now",)),
    Article("dark_mode", "feature_request", "Themes and display settings",
            "Display settings offer a high-contrast theme and text size. New appearance options are voted on "
            "in the community ideas board."),
    Article("integration", "feature_request", "Connect other services",
            "Available connectors are listed under Settings > Connections. Suggest a new connector on the "
            "ideas board; the most voted ones are planned each quarter."),
    Article("export_format", "feature_request", "Export your data",
            "Data can be exported as CSV from each page's menu. Other formats are on the ideas board.",
            ("error_message",)),
    Article("offline_mode", "feature_request", "Using the service on the move",
            "The desktop application keeps recent items available for reading when the connection drops; "
            "editing requires a connection."),
    Article("invite_member", "family_plan", "Add people to your family plan",
            "The organiser sends invitations from Family > Members. An invitation is valid for seven days "
            "and must be accepted with the address it was sent to.", ("member_limit",)),
    Article("member_limit", "family_plan", "Who can join a family plan",
            "A family plan has up to six members living at the same address, including the organiser.",
            ("invite_member",)),
    Article("remove_member", "family_plan", "Manage family plan members",
            "The organiser can remove a member or transfer the organiser role from Family > Members. A "
            "member who leaves keeps their personal history.", ("invite_member",)),
    Article("shared_library", "family_plan", "Sharing inside a family plan",
            "Shared collections appear for other members after they accept the invitation and sign in again. "
            "Private items are never shared.", ("sync",)),
    Article(None, "general", "Contact support",
            "Our team answers within one working day. Include what you did, what you expected and any error "
            "reference."),
    Article(None, "general", "Getting started",
            "Create an account, choose a plan and install the application on your devices."),
)  # fmt: skip


def articles_table(articles: tuple[Article, ...] = ARTICLES) -> pd.DataFrame:
    """The help centre as a table: ``article_id``, ``category``, ``title``, ``body``."""
    return pd.DataFrame(
        {
            "article_id": [f"A{i:03d}" for i in range(1, len(articles) + 1)],
            "category": [a.category for a in articles],
            "title": [a.title for a in articles],
            "body": [a.body for a in articles],
        }
    )


def grade(ticket_intent: str, ticket_category: str, article: Article) -> int:
    """The relevance (0-3) of ``article`` for a ticket written from ``ticket_intent``."""
    if article.intent == ticket_intent:
        return 3
    if ticket_intent in article.related:
        return 2
    if article.category == ticket_category:
        return 1
    return 0


def relevance_table(truth: pd.DataFrame, rng: np.random.Generator, n_judged: int) -> pd.DataFrame:
    """Graded judgements of every article for ``n_judged`` English tickets drawn at random.

    ``truth`` needs ``ticket_id``, ``intent``, ``category`` and ``language``.  One row per (ticket,
    article), sorted; a judged ticket has exactly one article of grade 3.
    """
    english = truth.index[truth["language"].to_numpy() == "en"]
    chosen = np.sort(rng.choice(english, size=min(n_judged, english.size), replace=False))
    ids = [f"A{i:03d}" for i in range(1, len(ARTICLES) + 1)]
    rows = []
    for i in chosen:
        intent, category, ticket_id = truth.at[i, "intent"], truth.at[i, "category"], truth.at[i, "ticket_id"]
        rows.extend(
            (ticket_id, aid, grade(intent, category, a)) for aid, a in zip(ids, ARTICLES, strict=True)
        )
    table = pd.DataFrame(rows, columns=["ticket_id", "article_id", "grade"])
    table["grade"] = table["grade"].astype(np.int8)
    return table
