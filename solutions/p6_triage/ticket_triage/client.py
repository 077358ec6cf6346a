"""A reliable LLM client for ticket triage, on the official ``openai`` SDK.

What it adds to the SDK (whose own retries are switched off, ``max_retries=0``):

- a timeout per attempt, and retries with exponential backoff and jitter that honour ``Retry-After``
  (``retry-after-ms`` first) and give up after ``max_retries`` or ``retry_budget_s``;
- a token bucket per minute for requests and for tokens, so that the client waits instead of being refused;
- a disk cache keyed by model and prompt: the same prompt is paid once;
- structured output validated with pydantic, one repair attempt, then an abstention with a reason;
- cost from the server's ``usage`` (tokens, never characters), and a hard budget checked before a call;
- one structured log line per call, without ticket text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
from pydantic import BaseModel, ValidationError, field_validator

from ticket_triage.guardrails import URGENCY_ORDER, build_messages, constrain_label, guard_urgency

LOG = logging.getLogger("ticket_triage.client")
REPAIR = (
    "Your previous reply was not valid JSON with the keys category and urgency taken from the allowed "
    "values. Reply again with that JSON only."
)


class TokenBucket:
    """``rate`` units per second, at most ``capacity`` at once; ``take`` sleeps until they are there.

    Thread-safe: threads that share one bucket share its rate.
    """

    def __init__(self, per_minute: float, clock=time.monotonic, sleep=time.sleep) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate)
        self.level = self.capacity
        self.clock, self.sleep = clock, sleep
        self.stamp = clock()
        self.lock = threading.Lock()

    def take(self, amount: float) -> float:
        """Wait until ``amount`` units are available, take them, and return the seconds waited."""
        # BEGIN SOLUTION
        # HINT: refill by elapsed time * rate (capped at capacity); sleep for the missing units / rate.
        amount = min(amount, self.capacity)
        waited = 0.0
        while True:
            with self.lock:
                now = self.clock()
                self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.level >= amount:
                    self.level -= amount
                    return waited
                pause = (amount - self.level) / self.rate
            self.sleep(pause)
            waited += pause
        # END SOLUTION


class Answer(BaseModel):
    """The structured output the model must return."""

    category: str
    urgency: str

    @field_validator("urgency")
    @classmethod
    def _known_urgency(cls, value: str) -> str:
        if value not in URGENCY_ORDER:
            raise ValueError(f"urgency must be one of {URGENCY_ORDER}")
        return value


@dataclass
class Usage:
    """What the client has spent, from the server's ``usage``."""

    requests: int = 0
    billed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    unconfirmed_usd: float = 0.0  # attempts that timed out: the vendor may bill them
    cache_hits: int = 0
    retries: int = 0
    faults: dict[str, int] = field(default_factory=dict)


class TriageClient:
    """Classify tickets through an OpenAI-compatible API; see the module docstring for what it guarantees.

    ``http_client`` (an ``httpx.Client``) is handed to the SDK: how to reach a vendor over a Unix socket or
    a corporate proxy. Prices are US dollars per million tokens, from the vendor's price list.
    """

    def __init__(
        self,
        base_url: str,
        *,
        model: str = "triage-mini",
        api_key: str = "sim",
        input_per_million: float = 0.15,
        output_per_million: float = 0.60,
        timeout_s: float = 2.0,
        max_retries: int = 5,
        retry_budget_s: float = 30.0,
        backoff_s: float = 0.05,
        budget_usd: float | None = None,
        requests_per_minute: float = 1_000,
        tokens_per_minute: float = 900_000,
        max_tokens: int = 32,
        cache_dir: str | Path | None = None,
        seed: int = 0,
        http_client: Any = None,
    ) -> None:
        self.model = model
        self.prices = (input_per_million, output_per_million)
        self.timeout_s, self.max_retries, self.retry_budget_s = timeout_s, max_retries, retry_budget_s
        self.backoff_s, self.budget_usd, self.max_tokens = backoff_s, budget_usd, max_tokens
        self.requests = TokenBucket(requests_per_minute)
        self.tokens = TokenBucket(tokens_per_minute)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.rng = random.Random(seed)
        self.usage = Usage()
        self.sdk = openai.OpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=0, http_client=http_client
        )

    # ------------------------------------------------------------------------------------------ accounting
    @property
    def spent_usd(self) -> float:
        """US dollars billed so far according to the server's ``usage``."""
        return self.usage.cost_usd

    def cost_of(self, prompt_tokens: int, completion_tokens: int) -> float:
        """What a call costs from its token counts."""
        # BEGIN SOLUTION
        # HINT: prices are per million tokens, input and output priced separately.
        return (prompt_tokens * self.prices[0] + completion_tokens * self.prices[1]) / 1e6
        # END SOLUTION

    def _estimate(self, messages: list[dict[str, str]]) -> tuple[int, float]:
        from course.llm.pricing import count_prompt_tokens

        prompt = count_prompt_tokens(messages)
        return prompt, self.cost_of(prompt, self.max_tokens)

    # --------------------------------------------------------------------------------------------- caching
    def _key(self, messages: list[dict[str, str]], response_format: dict[str, Any]) -> str:
        raw = json.dumps({"model": self.model, "messages": messages, "rf": response_format}, sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()

    def _cached(self, key: str) -> dict[str, Any] | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.json"
        return json.loads(path.read_text()) if path.is_file() else None

    def _store(self, key: str, value: dict[str, Any]) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_dir / f".{key}.tmp"
        tmp.write_text(json.dumps(value))
        tmp.replace(self.cache_dir / f"{key}.json")

    # ---------------------------------------------------------------------------------------------- calls
    def _log(self, **fields: Any) -> None:
        LOG.info(json.dumps({"event": "llm_call", "model": self.model, **fields}, sort_keys=True))

    def _retry_wait(self, error: Exception, attempt: int) -> float:
        """Seconds to wait before the next attempt: the server's Retry-After, else backoff with jitter."""
        # BEGIN SOLUTION
        # HINT: a 429 carries retry-after-ms / retry-after headers; use them when present.
        response = getattr(error, "response", None)
        headers = response.headers if response is not None else {}
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        if headers.get("retry-after"):
            return float(headers["retry-after"])
        return self.backoff_s * 2**attempt * (0.5 + self.rng.random())
        # END SOLUTION

    def _call(self, messages, response_format, headers) -> tuple[str | None, str | None]:
        """One request with retries: (content, None) or (None, why it gave up)."""
        prompt_estimate, cost_estimate = self._estimate(messages)
        if self.budget_usd is not None:
            committed = self.usage.cost_usd + self.usage.unconfirmed_usd
            if committed + cost_estimate > self.budget_usd:
                return None, "budget: the next call could exceed the budget"
        started = time.monotonic()
        for attempt in range(self.max_retries + 1):
            self.requests.take(1)
            self.tokens.take(prompt_estimate + self.max_tokens)
            self.usage.requests += 1
            t0 = time.monotonic()
            try:
                reply = self.sdk.chat.completions.create(
                    model=self.model,
                    messages=messages,
                    response_format=response_format,
                    max_tokens=self.max_tokens,
                    extra_headers=headers or None,
                )
            except (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError,
                    openai.APIConnectionError) as error:  # fmt: skip
                kind = type(error).__name__
                self.usage.faults[kind] = self.usage.faults.get(kind, 0) + 1
                if isinstance(error, openai.APITimeoutError):
                    self.usage.unconfirmed_usd += cost_estimate
                wait = self._retry_wait(error, attempt)
                self._log(attempt=attempt, status=kind, latency_ms=round((time.monotonic() - t0) * 1000, 1))
                if attempt == self.max_retries or time.monotonic() - started + wait > self.retry_budget_s:
                    return None, f"gave up after {attempt + 1} attempts: {kind}"
                self.usage.retries += 1
                time.sleep(wait)
                continue
            usage = reply.usage
            cost = self.cost_of(usage.prompt_tokens, usage.completion_tokens)
            self.usage.billed += 1
            self.usage.prompt_tokens += usage.prompt_tokens
            self.usage.completion_tokens += usage.completion_tokens
            self.usage.cost_usd += cost
            self._log(
                attempt=attempt,
                status="ok",
                latency_ms=round((time.monotonic() - t0) * 1000, 1),
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cost_usd=cost,
            )
            return reply.choices[0].message.content or "", None
        return None, "gave up"

    def _parse(self, content: str, labels) -> Answer | None:
        try:
            answer = Answer.model_validate(json.loads(content))
        except (ValueError, ValidationError, TypeError):
            return None
        category = constrain_label(answer.category, labels)
        return Answer(category=category, urgency=answer.urgency) if category else None

    def classify(
        self,
        ticket: str,
        labels,
        *,
        descriptions: dict[str, str] | None = None,
        examples=(),
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Category and urgency of one ticket, or an abstention with its reason.

        Returns a dict: ``status`` ("ok" or "abstained"), ``category``, ``urgency``, ``reason``,
        ``cached`` and ``cost_usd`` (what this ticket cost).
        """
        labels = list(labels)
        messages = build_messages(ticket, labels, descriptions, examples)
        response_format = {
            "type": "json_schema",
            "json_schema": {
                "name": "triage",
                "schema": {
                    "type": "object",
                    "properties": {
                        "category": {"type": "string", "enum": labels},
                        "urgency": {"type": "string", "enum": list(URGENCY_ORDER)},
                    },
                    "required": ["category", "urgency"],
                },
            },
        }
        key = self._key(messages, response_format)
        hit = self._cached(key)
        if hit is not None:
            self.usage.cache_hits += 1
            self._log(status="cache_hit")
            return {**hit, "cached": True, "cost_usd": 0.0}
        before = self.usage.cost_usd
        content, why = self._call(messages, response_format, headers)
        answer = self._parse(content, labels) if content is not None else None
        if content is not None and answer is None:  # one repair attempt
            repair = [
                *messages,
                {"role": "assistant", "content": content},
                {"role": "user", "content": REPAIR},
            ]
            content, why = self._call(repair, response_format, headers)
            answer = self._parse(content, labels) if content is not None else None
            why = why or "invalid output: not JSON with an allowed category and urgency after one repair"
        cost = self.usage.cost_usd - before
        if answer is None:
            return {"status": "abstained", "category": None, "urgency": None, "reason": why,
                    "cached": False, "cost_usd": cost}  # fmt: skip
        result = {
            "status": "ok",
            "category": answer.category,
            "urgency": guard_urgency(ticket, answer.urgency),
            "reason": None,
        }
        self._store(key, result)
        return {**result, "cached": False, "cost_usd": cost}
