"""Support-ticket triage up the buy-before-you-build ladder: rules, TF-IDF, PyTorch, a pre-trained
encoder, a LoRA fine-tune and an LLM API, with the client, guardrails, label quality and ranking metrics."""
