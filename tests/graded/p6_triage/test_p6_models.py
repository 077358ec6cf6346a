"""Graded: the bootstrap interval of macro-F1, the PyTorch training loop with early stopping, and the LoRA
fine-tune (loss falls, only the adapters and the head train)."""

from __future__ import annotations

import numpy as np
import pytest
from p6_helpers import LABELS


@pytest.mark.rubric("p6.evaluate.interval", points=2)
def test_macro_f1_interval_is_a_full_size_bootstrap(project_module):
    """macro_f1_interval() returns sklearn's macro-F1 and a 95 % bootstrap interval of the right width"""
    from sklearn.metrics import f1_score

    evaluate = project_module("ticket_triage.evaluate")
    rng = np.random.default_rng(6)
    y = rng.choice(LABELS, size=300).tolist()
    pred = [v if rng.random() < 0.7 else str(rng.choice(LABELS)) for v in y]
    point, low, high = evaluate.macro_f1_interval(y, pred, LABELS)
    assert point == pytest.approx(
        f1_score(y, pred, labels=LABELS, average="macro", zero_division=0), abs=1e-9
    )
    ya, pa = np.array(y), np.array(pred)
    ref = [f1_score(ya[i], pa[i], labels=LABELS, average="macro", zero_division=0)
           for i in (rng.integers(0, 300, 300) for _ in range(1000))]  # fmt: skip
    width = float(np.quantile(ref, 0.975) - np.quantile(ref, 0.025))
    assert low < point < high, f"the interval [{low:.3f}, {high:.3f}] must contain {point:.3f}."
    assert 0.8 * width <= high - low <= 1.25 * width, (
        f"the interval is {high - low:.3f} wide, a bootstrap of all 300 tickets gives {width:.3f}: "
        "draw as many "
        "tickets as there are, with replacement."
    )


@pytest.mark.rubric("p6.torch.early_stopping", points=4)
def test_training_loop_stops_early_and_restores_the_best_epoch(project_module, world):
    """train_classifier() stops `patience` epochs after the best validation loss and keeps the best weights"""
    torch_model = project_module("ticket_triage.torch_model")
    noisy = world.annotations[world.annotations["annotator"] == "a3"][["ticket_id", "category"]]
    frame = world.tickets.merge(noisy, on="ticket_id").iloc[:700]  # the noisiest annotator: it overfits soon
    truth = world.truth.set_index("ticket_id").loc[frame["ticket_id"], "category"].tolist()
    texts = (frame["subject"] + ". " + frame["body"]).tolist()
    labels = frame["category"].tolist()
    result = torch_model.train_classifier(texts[:500], labels[:500], epochs=40, patience=2, seed=0)
    val = list(result.val_loss)
    best = int(result.best_epoch)
    assert len(val) < 40, "validation loss never stopped improving in 40 epochs? Stop when it does."
    assert val[best] == min(val), f"best_epoch {best} is not the epoch of the lowest validation loss {val}."
    assert len(val) == best + 1 + 2, (
        f"with patience 2, training must stop 2 epochs after the best one ({val})."
    )
    pred = list(torch_model.predict(result, texts[500:]))
    accuracy = float(np.mean(np.array(pred) == np.array(truth[500:])))
    assert accuracy > 0.6, f"the restored model is right on {accuracy:.0%} of held-out tickets."


@pytest.mark.rubric("p6.lora.adapters", points=5)
def test_lora_trains_only_the_adapters_and_the_loss_falls(project_module, world):
    """The LoRA model trains only adapters and the head (under 2 % of weights); a tiny run lowers the loss"""
    finetune = project_module("ticket_triage.finetune")
    frame = world.tickets.merge(world.truth[["ticket_id", "category"]], on="ticket_id")
    frame = frame[frame["category"] != "family_plan"].groupby("category").head(4)
    texts = (frame["subject"] + ". " + frame["body"]).tolist()
    labels = frame["category"].tolist()
    classes = sorted(set(labels))
    model, _, losses = finetune.train_lora(texts, labels, classes, steps=12, batch_size=8, lr=5e-3, seed=0)
    trainable = dict(finetune.trainable_parameters(model))
    total = int(model.num_parameters())
    odd = [n for n in trainable if "lora_" not in n and "classifier" not in n and "score" not in n]
    assert any("lora_" in n for n in trainable), (
        "no LoRA adapter is trainable: wrap the model with get_peft_model."
    )
    assert not odd, f"only adapters and the head may train; these train too: {odd[:3]}."
    assert sum(trainable.values()) < 0.02 * total, "more than 2 % of the weights train: freeze the encoder."
    losses = list(losses)
    assert np.mean(losses[-3:]) < 0.85 * np.mean(losses[:3]), f"the loss did not fall: {np.round(losses, 3)}."
