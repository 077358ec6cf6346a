"""The simulator's ASGI app: ``POST /v1/chat/completions`` and ``GET /v1/models``, OpenAI-compatible.

>>> from course.llm.simulator import create_app
>>> app = create_app()                       # loads the encoder; serve it with uvicorn or TestClient

How it answers: it reads the prompt (``course.llm.prompt``), embeds the ticket with the pre-trained
encoder and picks the label whose description (or few-shot example) is nearest; it names an urgency
the same way.  An instruction injected in the ticket is obeyed with ``follow_injection_rate`` unless the
prompt separates data from instructions.  ``usage`` counts tokens with the encoder's tokenizer
(``course.llm.pricing``) and every request is charged and logged.  Side endpoints for tests and
notebooks: ``GET /sim/ledger`` (totals), ``GET /sim/requests`` (the log), ``GET /health``.  A request
header ``x-simulator-fault: <mode>`` forces one fault mode (or ``none``) for that request; with
``x-simulator-fault-attempts: N`` as well, only the first N attempts at the same request meet it, so a
client that retries gets through (how tests show that a client survives each fault mode).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from course.llm.config import SimulatorConfig
from course.llm.faults import FAULTS, RateLimiter, draw_fault, unit_draw
from course.llm.pricing import cost_usd, count_prompt_tokens, count_tokens, truncate_to_tokens
from course.llm.prompt import ParsedPrompt, injected_instruction, parse

URGENCY_PROTOTYPES = {
    "low": "No rush at all, just a suggestion or an idea for later, whenever you have time.",
    "normal": "A question about my account or a small problem I would like help with.",
    "high": "Please look into this soon, it is quite annoying and needs to be sorted this week.",
    "urgent": "Urgent: I cannot work at all, my whole team is blocked, fix this immediately today.",
}
"""What the simulated model already knows about urgency when the prompt does not describe the levels."""


class ChatMessage(BaseModel):
    """One message of a chat request."""

    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """The fields of ``POST /v1/chat/completions`` the simulator reads (others are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, gt=0)
    max_completion_tokens: int | None = Field(default=None, gt=0)
    response_format: dict[str, Any] | None = None
    n: int = Field(default=1, ge=1, le=1)
    stream: bool = False


def _error(status: int, message: str, kind: str, code: str | None = None, headers: dict | None = None):
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


class Simulator:
    """The state behind the app: config, encoder, limiter, attempts per request, ledger and log."""

    def __init__(self, config: SimulatorConfig, encoder: Any, log_path: Path | None) -> None:
        self.config = config
        self.encoder = encoder
        self.limiter = RateLimiter(config.requests_per_minute, config.tokens_per_minute)
        self.log_path = Path(log_path) if log_path else None
        self.attempts: Counter[str] = Counter()
        self.log: list[dict[str, Any]] = []
        self.ledger = {
            "requests": 0,
            "billed": 0,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "cost_usd": 0.0,
        }
        self.lock = threading.Lock()
        self.encode_lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        with self.encode_lock:
            return self.encoder.encode(texts)

    def classify(self, prompt: ParsedPrompt) -> tuple[str | None, str]:
        """The nearest label (by description or example) and the nearest urgency level."""
        category = None
        if prompt.labels:
            names = [
                f"{lab.replace('_', ' ')}: {prompt.descriptions[lab]}" if lab in prompt.descriptions
                else lab.replace("_", " ")
                for lab in prompt.labels
            ]  # fmt: skip
            vectors = self.embed([prompt.ticket, *names, *(text for text, _ in prompt.examples)])
            ticket, protos, shots = vectors[0], vectors[1 : 1 + len(names)], vectors[1 + len(names) :]
            scores = protos @ ticket
            for (_, label), vector in zip(prompt.examples, shots, strict=True):
                i = prompt.labels.index(label)
                scores[i] = max(scores[i], float(vector @ ticket))
            category = prompt.labels[int(np.argmax(scores))]
        levels = list(prompt.urgencies)
        texts = [prompt.urgency_descriptions.get(u) or URGENCY_PROTOTYPES.get(u, u) for u in levels]
        vectors = self.embed([prompt.ticket, *texts])
        urgency = levels[int(np.argmax(vectors[1:] @ vectors[0]))]
        return category, urgency

    def answer(self, prompt: ParsedPrompt, request_hash: str) -> dict[str, Any]:
        """The fields of the reply: category and urgency, after any obeyed injection."""
        category, urgency = self.classify(prompt)
        injected = injected_instruction(prompt.ticket, prompt.labels)
        obeyed = False
        if injected is not None:
            rate = (
                self.config.follow_injection_rate_separated
                if prompt.separated
                else self.config.follow_injection_rate
            )
            obeyed = unit_draw(self.config.seed, prompt.ticket, "injection") < rate
            if obeyed:
                category = injected[0] or category
                urgency = injected[1] if injected[1] in prompt.urgencies else urgency
        return {"category": category, "urgency": urgency, "injection": injected is not None, "obeyed": obeyed}

    def render(
        self, prompt: ParsedPrompt, fields: dict[str, Any], fault: str | None, request_hash: str
    ) -> str:
        """The reply's content: JSON with the requested keys, or plain text; broken on a content fault."""
        values = {"category": fields["category"], "label": fields["category"]}
        values |= {"urgency": fields["urgency"], "priority": fields["urgency"]}
        if fault == "non_schema_json":
            variants = [
                {"label_name": fields["category"], "confidence": "high"},
                {key: str(values[key]).upper().replace("_", " ") for key in prompt.keys},
                {"answer": f"This ticket is about {fields['category']}."},
            ]
            return json.dumps(
                variants[int(unit_draw(self.config.seed, request_hash, "shape") * len(variants))]
            )
        if prompt.wants_json or fault == "malformed_json":
            text = json.dumps({key: values[key] for key in prompt.keys})
            if fault == "malformed_json":
                cut = int(unit_draw(self.config.seed, request_hash, "cut") * 3)
                return [
                    text[: len(text) // 2],
                    text.replace('"', "'"),
                    "Sure! Here is the JSON: " + text[:-1],
                ][cut]
            return text
        return ", ".join(str(values[key]) for key in prompt.keys)

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.append(entry)
            if self.log_path is not None:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry, sort_keys=True) + "\n")


def create_app(
    config: SimulatorConfig | None = None, *, encoder: Any = None, log_path: Path | None = None
) -> FastAPI:
    """The simulator as a FastAPI app; ``encoder`` defaults to :class:`course.models.encoder.Encoder`."""
    config = config or SimulatorConfig()
    if encoder is None:
        from course.models.encoder import Encoder

        encoder = Encoder()
    sim = Simulator(config, encoder, log_path)
    app = FastAPI(title="course LLM vendor simulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.simulator = sim

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _error(400, f"Invalid request: {where}: {first.get('msg')}", "invalid_request_error")

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        data = [
            {"id": name, "object": "model", "created": 0, "owned_by": "course-simulator"}
            for name in config.models
        ]
        return {"object": "list", "data": data}

    @app.get("/sim/ledger")
    async def ledger() -> dict[str, Any]:
        with sim.lock:
            return dict(sim.ledger)

    @app.get("/sim/requests")
    async def requests() -> list[dict[str, Any]]:
        with sim.lock:
            return list(sim.log)

    @app.post("/v1/chat/completions")
    async def chat(body: ChatRequest, request: Request) -> JSONResponse:
        return await _complete(sim, body, request)

    return app


async def _complete(sim: Simulator, body: ChatRequest, request: Request) -> JSONResponse:
    config = sim.config
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        return _error(
            401, "Missing bearer API key (any value works here).", "invalid_request_error", "invalid_api_key"
        )
    if body.model not in config.models:
        known = ", ".join(config.models)
        return _error(
            404,
            f"The model {body.model!r} does not exist (known: {known}).",
            "invalid_request_error",
            "model_not_found",
        )
    if body.stream:
        return _error(
            400, "Streaming is not supported by the simulator: set stream=False.", "invalid_request_error"
        )
    messages = [m.model_dump() for m in body.messages]
    raw = json.dumps({"model": body.model, "messages": messages, "rf": body.response_format}, sort_keys=True)
    request_hash = hashlib.sha256(raw.encode()).hexdigest()
    request_id = f"req_{request_hash[:12]}"
    with sim.lock:
        attempt = sim.attempts[request_hash]
        sim.attempts[request_hash] += 1
        sim.ledger["requests"] += 1
    prompt_tokens = count_prompt_tokens(messages)
    max_tokens = body.max_completion_tokens or body.max_tokens
    entry: dict[str, Any] = {"id": request_id, "model": body.model, "messages": messages, "attempt": attempt}
    entry |= {"time": round(time.time(), 3), "prompt_tokens": prompt_tokens}

    forced = request.headers.get("x-simulator-fault")
    if forced is not None and forced not in (*FAULTS, "none"):
        return _error(
            400, f"x-simulator-fault must be one of {', '.join(FAULTS)} or none.", "invalid_request_error"
        )
    fault = (
        (None if forced == "none" else forced)
        if forced
        else draw_fault(config.faults, config.seed, request_hash, attempt)
    )
    forced_attempts = request.headers.get("x-simulator-fault-attempts")
    if forced and forced_attempts is not None:
        if not forced_attempts.isdigit():
            return _error(400, "x-simulator-fault-attempts must be a whole number.", "invalid_request_error")
        if attempt >= int(forced_attempts):
            fault = None
    wait = sim.limiter.acquire(prompt_tokens + (max_tokens or config.default_max_tokens))
    limits = sim.limiter.remaining()
    headers = {
        "x-request-id": request_id,
        "x-ratelimit-limit-requests": str(sim.limiter.limits["requests"]),
        "x-ratelimit-limit-tokens": str(sim.limiter.limits["tokens"]),
        "x-ratelimit-remaining-requests": str(limits["requests"]),
        "x-ratelimit-remaining-tokens": str(limits["tokens"]),
    }
    if wait > 0 or fault == "rate_limit":
        retry = wait if wait > 0 else config.faults.retry_after_s
        headers |= {
            "retry-after": str(max(1, round(retry + 0.4999))),
            "retry-after-ms": str(int(retry * 1000) + 1),
        }
        sim.record(entry | {"status": 429, "fault": "rate_limit" if wait == 0 else "rate_limit_exceeded"})
        message = "Rate limit reached: retry after the time in the Retry-After header."
        return _error(429, message, "rate_limit_error", "rate_limit_exceeded", headers)
    if fault == "server_error":
        sim.record(entry | {"status": 500, "fault": fault})
        return _error(
            500, "The server had an error while processing your request.", "server_error", None, headers
        )

    prompt = parse(messages, body.response_format)
    fields = await asyncio.to_thread(sim.answer, prompt, request_hash)
    content = sim.render(prompt, fields, fault, request_hash)
    finish = "stop"
    if max_tokens is not None and count_tokens(content) > max_tokens:
        content, finish = truncate_to_tokens(content, max_tokens), "length"
    completion_tokens = count_tokens(content)
    price = config.models[body.model]
    cost = cost_usd(price, prompt_tokens, completion_tokens)
    delay = price.latency_ms / 1000 + (config.faults.slow_s if fault == "slow" else 0.0)
    await asyncio.sleep(delay)
    with sim.lock:
        sim.ledger["billed"] += 1
        sim.ledger["prompt_tokens"] += prompt_tokens
        sim.ledger["completion_tokens"] += completion_tokens
        sim.ledger["cost_usd"] += cost
    entry |= {"status": 200, "fault": fault, "completion_tokens": completion_tokens, "cost_usd": cost}
    entry |= {
        "injection": fields["injection"],
        "obeyed_injection": fields["obeyed"],
        "separated": prompt.separated,
    }
    sim.record(entry)
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
    usage["total_tokens"] = prompt_tokens + completion_tokens
    reply = {
        "id": f"chatcmpl-{request_hash[:24]}-{attempt}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.model,
        "system_fingerprint": f"sim-seed-{config.seed}",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": usage,
    }
    return JSONResponse(reply, headers=headers)
