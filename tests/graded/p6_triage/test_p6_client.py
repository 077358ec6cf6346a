"""Graded: the LLM client against the vendor simulator, one test per fault mode, cost, budget, cache,
PII and injections. Each fault test uses a simulator that meets that fault first, then answers."""

from __future__ import annotations

import time

import pytest
from p6_helpers import LABELS, URGENCY, delta


@pytest.mark.rubric("p6.client.rate_limit", points=5)
def test_a_429_is_retried_after_the_retry_after_time(make_client):
    """A 429 is retried after the server's Retry-After (1 s here), not sooner, and then answered"""
    client = make_client(mode="rate_limit")
    started = time.monotonic()
    result = dict(client.classify("I was charged twice this month [429 test].", LABELS))
    elapsed = time.monotonic() - started
    assert result["status"] == "ok" and result["category"] in LABELS, f"a 429 must be retried: got {result}."
    assert elapsed >= 0.95, (
        f"the retry came {elapsed:.2f} s after a 429 that said Retry-After 1 s (retry-after-ms 1001): wait "
        "what "
        "the server asks before retrying, not your own backoff."
    )


@pytest.mark.rubric("p6.client.server_error", points=3)
def test_a_500_is_retried_with_backoff(make_client, vendors):
    """Two 500s in a row are retried and the ticket is still answered"""
    client = make_client(mode="server_error")
    vendor = vendors("server_error")
    before = vendor.ledger()
    result = dict(client.classify("The app crashes when I open it [500 test].", LABELS))
    assert result["status"] == "ok" and result["category"] in LABELS, f"retry 500s: got {result}."
    assert delta(vendor.ledger(), before)["requests"] == 3, "expected two failed attempts and one answer."


@pytest.mark.rubric("p6.client.timeout", points=3)
def test_a_slow_reply_times_out_and_is_retried(make_client):
    """A reply slower than the timeout (4 s against 1 s) is abandoned and retried: the answer comes in ~1 s"""
    client = make_client(mode="slow", timeout_s=1.0)
    started = time.monotonic()
    result = dict(client.classify("I cannot sign in to my account [slow test].", LABELS))
    elapsed = time.monotonic() - started
    assert result["status"] == "ok", f"a timed-out attempt must be retried: got {result}."
    assert elapsed < 3.0, (
        f"the answer took {elapsed:.1f} s: set a timeout per attempt (1 s here), then retry."
    )


@pytest.mark.rubric("p6.client.malformed", points=3)
def test_malformed_json_is_repaired_once_then_abstains(make_client, vendors):
    """Malformed JSON gets one repair request, then an abstention with a reason (never an exception)"""
    client = make_client(mode="malformed_json")
    vendor = vendors("malformed_json")
    before = vendor.ledger()
    result = dict(client.classify("Please add a dark mode [malformed test].", LABELS))
    billed = delta(vendor.ledger(), before)["billed"]
    assert result["status"] == "abstained" and result["category"] is None, (
        f"expected an abstention: {result}."
    )
    assert isinstance(result["reason"], str) and result["reason"], "an abstention must say why."
    assert billed == 2, f"expected the call and exactly one repair attempt, the vendor billed {billed} calls."


@pytest.mark.rubric("p6.client.non_schema", points=2)
def test_json_outside_the_schema_is_never_returned_as_a_label(make_client):
    """Valid JSON with wrong keys or values is repaired once, then abstained on: no label outside the list"""
    client = make_client(mode="non_schema_json")
    for i in range(3):
        text = f"I want to close my subscription, case {i} [non-schema test]."
        result = dict(client.classify(text, LABELS))
        assert result["status"] == "abstained" and result["category"] is None, f"got {result}."
        assert result["reason"], "an abstention must say why."


@pytest.mark.rubric("p6.client.cost", points=5)
def test_cost_and_tokens_match_the_vendor_to_the_token(make_client, vendor, world):
    """spent_usd and the token counts equal what the vendor billed, from usage (tokens, not characters)"""
    client = make_client()
    before = vendor.ledger()
    for body in world.tickets["body"].iloc[100:106]:
        client.classify(body, LABELS)
    billed = delta(vendor.ledger(), before)
    usage = client.usage
    assert usage.prompt_tokens == billed["prompt_tokens"], (
        f"you counted {usage.prompt_tokens} prompt tokens, the vendor billed {billed['prompt_tokens']}: "
        "use the usage of each reply."
    )
    assert usage.completion_tokens == billed["completion_tokens"]
    assert client.spent_usd == pytest.approx(billed["cost_usd"], rel=1e-9, abs=1e-12), (
        f"you spent ${client.spent_usd:.8f} by your count, the vendor billed ${billed['cost_usd']:.8f}."
    )


@pytest.mark.rubric("p6.client.budget", points=4)
def test_the_budget_stops_calls_before_it_is_exceeded(make_client, vendor, world):
    """With a hard budget the client abstains before a call could exceed it, and never spends more"""
    bodies = world.tickets["body"].iloc[200:210].tolist()
    probe = make_client()
    probe.classify(bodies[0] + " [budget probe]", LABELS)
    one_call = probe.spent_usd
    budget = 3.5 * one_call
    client = make_client(budget_usd=budget)
    before = vendor.ledger()
    results = [dict(client.classify(b, LABELS)) for b in bodies]
    spent = delta(vendor.ledger(), before)["cost_usd"]
    answered = sum(r["status"] == "ok" for r in results)
    assert spent <= budget, f"the vendor billed ${spent:.8f} against a budget of ${budget:.8f}."
    assert answered >= 2, f"only {answered} tickets answered: the budget holds about three calls."
    stopped = [r for r in results if r["status"] != "ok"]
    assert stopped and all("budget" in (r["reason"] or "").lower() for r in stopped), (
        "tickets refused for the budget must say so in their reason."
    )


@pytest.mark.rubric("p6.client.cache", points=3)
def test_the_cache_answers_repeated_prompts_without_a_call(make_client, vendor, project_module):
    """The same prompt to the same model is answered from the disk cache; another model is not"""
    folder = project_module("tempfile").mkdtemp()
    text = "How do I invite my son to the family plan? [cache test]"
    first = dict(make_client(cache_dir=folder).classify(text, LABELS))
    before = vendor.ledger()
    again = dict(make_client(cache_dir=folder).classify(text, LABELS))
    assert delta(vendor.ledger(), before)["requests"] == 0, (
        "the second, identical request reached the vendor."
    )
    assert again["category"] == first["category"] and again["cached"] is True
    make_client(cache_dir=folder, model="triage-pro").classify(text, LABELS)
    assert delta(vendor.ledger(), before)["requests"] == 1, "key the cache by model and prompt."


@pytest.mark.rubric("p6.client.guarded", points=4)
def test_no_pii_reaches_the_vendor_and_injections_cannot_lower_urgency(make_client, vendor, world):
    """No raw PII reaches the vendor's request log, and an injected instruction never lowers urgency

    A ticket's urgency is lowered by its injection when the answer is below the answer for the same ticket
    without the injected sentence and either the vendor's model obeyed an injected instruction in the
    request (its log says so) or the answer is the level the injection asked for. Text a guardrail removes
    around the injection (an unpunctuated signature before it) may move the model's own reading by a level:
    that is not the injection's doing.
    """
    client = make_client()
    tickets = world.tickets.set_index("ticket_id")
    truth = world.truth.set_index("ticket_id")
    pii = world.pii_spans.drop_duplicates("ticket_id").head(12)
    for ticket_id in pii["ticket_id"]:
        client.classify(tickets.loc[ticket_id, "body"], LABELS)
    sent = "\n".join(str(m.get("content")) for r in vendor.requests() for m in r["messages"])
    leaked = [v for v in pii["text"] if v in sent]
    assert not leaked, f"{len(leaked)} raw PII values reached the vendor, e.g. {leaked[:2]}."
    injected = truth[truth["injection"] & ~truth.index.isin(pii["ticket_id"])].head(12)  # none answered yet
    lowered = []
    for ticket_id, row in injected.iterrows():
        body = tickets.loc[ticket_id, "body"]
        clean = body[: int(row["injection_start"])] + body[int(row["injection_end"]) :]
        seen = len(vendor.requests())
        with_injection = dict(client.classify(body, LABELS))["urgency"]
        obeyed = any(r.get("obeyed_injection") for r in vendor.requests()[seen:])
        without = dict(client.classify(clean, LABELS))["urgency"] or "low"
        below = with_injection is None or URGENCY.index(with_injection) < URGENCY.index(without)
        if below and (with_injection in (None, row["injected_urgency"]) or obeyed):
            lowered.append((ticket_id, without, with_injection))
    assert not lowered, (
        f"the injected text lowered the urgency of {len(lowered)} tickets (ticket, urgency without the "
        f"injection, urgency with it), e.g. {lowered[:3]}: keep injected instructions away from the model or "
        "never let its answer fall below what the ticket says without them."
    )


@pytest.mark.rubric("p6.client.rate_limiter", points=2)
def test_the_token_bucket_waits_for_the_rate(project_module):
    """TokenBucket lets a burst of one second's worth through, then paces takes at the per-minute rate"""
    bucket = project_module("ticket_triage.client").TokenBucket(600)
    burst = sum(bucket.take(1) for _ in range(10))
    paced = sum(bucket.take(1) for _ in range(5))
    assert burst < 0.05, f"the first 10 takes (one second's worth at 600 a minute) waited {burst:.2f} s."
    assert 0.4 <= paced <= 0.8, (
        f"5 more takes at 10 a second should wait about 0.5 s in all, waited {paced:.2f} s."
    )
