"""The simulator's answers come from reading the prompt: label descriptions and few-shot examples
change them, measured on 120 tickets after the launch (20 per category) through the ``openai`` SDK."""

from __future__ import annotations

import json

import openai
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from course.data import tickets
from course.llm.config import NO_FAULTS, SimulatorConfig
from course.llm.simulator import create_app
from course.models.encoder import Encoder

DESCRIBED = "\n".join(f"- {c}: {d}" for c, d in tickets.CATEGORY_DESCRIPTIONS.items())
NAMES_ONLY = "You triage support tickets. Categories: " + ", ".join(tickets.CATEGORIES) + "\nReply in JSON."
SYSTEM = f"You triage support tickets.\n{DESCRIBED}\nReply in JSON with the category."


def _text(row) -> str:
    return f"{row.subject}. {row.body}"


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> tuple[openai.OpenAI, pd.DataFrame, pd.DataFrame]:
    world = tickets.generate(seed=0)
    rows = world.tickets.merge(world.truth, on="ticket_id")
    english = rows[rows["language"] == "en"]
    late = english[english["created_at"] >= world.launch_date]
    test = late.groupby("category").sample(20, random_state=0)
    shots = english[english["created_at"] < world.launch_date].groupby("category").sample(2, random_state=1)
    shots = pd.concat(
        [shots, late[late["category"] == tickets.NEW_CATEGORY].drop(test.index, errors="ignore").head(2)]
    )
    encoder = Encoder(cache_dir=tmp_path_factory.mktemp("embeddings"))
    encoder.encode([_text(r) for r in test.itertuples()])  # one batch: the requests then hit the cache
    # no faults and no per-minute limit: this test measures what the prompt does, not the client
    config = SimulatorConfig(faults=NO_FAULTS, requests_per_minute=1_000_000, tokens_per_minute=1_000_000_000)
    app = create_app(config, encoder=encoder)
    client = openai.OpenAI(
        base_url="http://testserver/v1", api_key="sim", http_client=TestClient(app), max_retries=0
    )
    return client, test, shots


def _accuracy(
    client: openai.OpenAI, system: str, rows: pd.DataFrame, shots: pd.DataFrame | None = None
) -> float:
    examples = []
    for row in (shots if shots is not None else rows.head(0)).itertuples():
        examples.append({"role": "user", "content": f"<ticket>{_text(row)}</ticket>"})
        examples.append({"role": "assistant", "content": json.dumps({"category": row.category})})
    hits = 0
    for row in rows.itertuples():
        messages = [{"role": "system", "content": system}, *examples]
        messages.append({"role": "user", "content": f"<ticket>{_text(row)}</ticket>"})
        reply = client.chat.completions.create(
            model="triage-mini", messages=messages, response_format={"type": "json_object"}
        )
        hits += json.loads(reply.choices[0].message.content)["category"] == row.category
    return hits / len(rows)


@pytest.mark.slow
def test_descriptions_and_examples_raise_accuracy(setup) -> None:
    client, test, shots = setup
    names = _accuracy(client, NAMES_ONLY, test)
    described = _accuracy(client, SYSTEM, test)
    few_shot = _accuracy(client, SYSTEM, test, shots)
    figures = (
        f"names only {names:.3f}, with descriptions {described:.3f}, with 2 examples each {few_shot:.3f}"
    )
    assert names + 0.05 < described and described + 0.02 < few_shot, figures


def test_bullets_without_descriptions_are_each_a_label() -> None:
    from course.llm.prompt import parse

    system = (
        "Categories:\n- billing: charges and refunds\n- access\n- bug\n- feature_request\n\nReply in JSON."
    )
    parsed = parse(
        [{"role": "system", "content": system}, {"role": "user", "content": "<ticket>hi</ticket>"}]
    )
    assert parsed.labels == ("billing", "access", "bug", "feature_request")
    assert parsed.descriptions == {"billing": "charges and refunds"}
