"""A LoRA fine-tune of the pre-trained encoder with a classification head (``peft``), as a script.

    python -m ticket_triage.finetune            # writes runs/finetune.json (metrics and timings)

Only the low-rank adapters on the attention's query and value projections and the new head train; the
encoder's own weights stay frozen. The weights are the course's pinned all-MiniLM-L6-v2, verified by hash.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

RESULTS = Path("runs/finetune.json")


def build_model(n_labels: int, r: int = 8, seed: int = 0):
    """(peft model, tokenizer): the verified encoder + a fresh head, LoRA adapters of rank ``r``."""
    from course.models.encoder import extract_model, set_offline, verify_weights

    folder = extract_model()
    verify_weights(folder)
    set_offline()
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    torch.manual_seed(seed)
    base = AutoModelForSequenceClassification.from_pretrained(str(folder), num_labels=n_labels)
    # HINT: LoraConfig(task_type=TaskType.SEQ_CLS, r=..., target_modules=["query", "value"]).
    raise NotImplementedError('build_model: LoraConfig(task_type=TaskType.SEQ_CLS, r=..., target_modules=["query", "value"]).')


def trainable_parameters(model) -> dict[str, int]:
    """Names and sizes of the parameters that require gradients."""
    return {name: p.numel() for name, p in model.named_parameters() if p.requires_grad}


def train_lora(
    texts: Sequence[str], labels: Sequence[str], classes: Sequence[str], *, steps: int = 150,
    batch_size: int = 16, lr: float = 2e-3, max_length: int = 64, seed: int = 0,
) -> tuple[object, object, list[float]]:  # fmt: skip
    """Fine-tune for ``steps`` batches; return (model, tokenizer, the loss of every step)."""
    import torch

    model, tokenizer = build_model(len(classes), seed=seed)
    y = torch.tensor([list(classes).index(label) for label in labels])
    rng = np.random.default_rng(seed)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    losses = []
    model.train()
    for _ in range(steps):
        idx = rng.choice(len(texts), size=min(batch_size, len(texts)), replace=False)
        batch = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                          return_tensors="pt")  # fmt: skip
        loss = model(**batch, labels=y[idx]).loss
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
    model.eval()
    return model, tokenizer, losses


def predict_lora(
    model, tokenizer, texts: Sequence[str], classes: Sequence[str], max_length: int = 64
) -> list[str]:
    """Predicted labels, 32 texts at a time."""
    import torch

    out: list[str] = []
    with torch.no_grad():
        for i in range(0, len(texts), 32):
            batch = tokenizer(list(texts[i : i + 32]), padding=True, truncation=True, max_length=max_length,
                              return_tensors="pt")  # fmt: skip
            out += [classes[j] for j in model(**batch).logits.argmax(dim=1).tolist()]
    return out


def main(argv: Sequence[str] | None = None) -> dict:
    """Fine-tune on the shared split's training tickets, score the test tickets, write the results file."""
    import torch

    from ticket_triage.dataset import load_split
    from ticket_triage.evaluate import macro_f1_interval
    from ticket_triage.rungs import text_of

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    split = load_split()
    classes = sorted(set(split.train["category"]))
    started = time.perf_counter()
    model, tokenizer, losses = train_lora(text_of(split.train), split.train["category"].tolist(), classes,
                                          steps=args.steps)  # fmt: skip
    train_s = time.perf_counter() - started
    started = time.perf_counter()
    pred = predict_lora(model, tokenizer, text_of(split.test), classes)
    per_ticket_ms = (time.perf_counter() - started) / len(split.test) * 1000
    f1, low, high = macro_f1_interval(split.test["category"], pred, split.categories)
    trainable = trainable_parameters(model)
    results = {
        "rung": "lora_finetune",
        "world": split.learner,
        "steps": args.steps,
        "labels": len(split.train),
        "macro_f1": round(f1, 4),
        "macro_f1_ci": [round(low, 4), round(high, 4)],
        "first_loss": round(float(np.mean(losses[:10])), 4),
        "last_loss": round(float(np.mean(losses[-10:])), 4),
        "trainable_params": int(sum(trainable.values())),
        "total_params": int(sum(p.numel() for p in model.parameters())),
        "train_seconds": round(train_s, 1),
        "latency_ms_per_ticket": round(per_ticket_ms, 2),
        "predictions": dict(zip(split.test["ticket_id"], pred, strict=True)),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"LoRA: macro-F1 {f1:.3f} [{low:.3f}, {high:.3f}], {train_s:.0f} s to train, wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
