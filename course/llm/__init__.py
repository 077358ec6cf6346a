"""A local, OpenAI-compatible LLM vendor simulator for project 6 (``POST /v1/chat/completions``).

It is honest about being a simulator: its answers come from the real pre-trained encoder reading the
prompt, it counts tokens with that model's real tokenizer, charges per-token prices from its config and
injects seeded faults.  Start it with :func:`course.llm.server.start_simulator` and point the official
``openai`` SDK at its ``base_url``.
"""
