"""The pre-trained encoder: pinned weights, offline loading, deterministic and cached embeddings."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from course.errors import CourseError
from course.models import encoder

TEXTS = [f"Ticket {i}: I was charged twice for my subscription in month {i % 12}." for i in range(120)]


class Spy:
    """A model that records the texts it is asked to encode, then encodes them with ``model``."""

    def __init__(self, model) -> None:
        self.model, self.calls = model, []

    def encode(self, texts, **kwargs):
        self.calls.append(list(texts))
        return self.model.encode(texts, **kwargs)


@pytest.fixture(scope="module")
def model():
    return encoder.load_model()


def test_extracted_weights_have_the_pinned_hash() -> None:
    folder = encoder.extract_model()
    assert encoder.sha256_file(folder / encoder.WEIGHTS_FILE) == encoder.WEIGHTS_SHA256
    mtime = (folder / encoder.WEIGHTS_FILE).stat().st_mtime_ns
    assert encoder.extract_model() == folder and (folder / encoder.WEIGHTS_FILE).stat().st_mtime_ns == mtime


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / encoder.WEIGHTS_FILE).write_bytes(b"not the weights you pinned")
    with pytest.raises(encoder.WeightsMismatchError, match="refusing to load") as info:
        encoder.load_model(tmp_path)
    assert isinstance(info.value, CourseError) and encoder.WEIGHTS_SHA256 in str(info.value)


def test_a_wrong_pin_refuses_the_real_weights() -> None:
    with pytest.raises(encoder.WeightsMismatchError, match="0" * 64):
        encoder.load_model(expected_sha256="0" * 64)


def test_missing_weights_are_named(tmp_path: Path) -> None:
    with pytest.raises(encoder.EncoderError, match=r"No model\.safetensors"):
        encoder.verify_weights(tmp_path)


@pytest.mark.slow
def test_loading_sets_hugging_face_offline_first_and_never_opens_a_socket() -> None:
    """In a fresh process: no Hugging Face module before the load, offline flags in force, no connection."""
    script = textwrap.dedent(
        """
        import os, socket, sys
        def refuse(*args, **kwargs):
            raise RuntimeError("network access attempted")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
            os.environ.pop(name, None)
        from course.models import encoder
        assert "transformers" not in sys.modules and "sentence_transformers" not in sys.modules
        assert "HF_HUB_OFFLINE" not in os.environ, "importing the module must not change the environment"
        vectors = encoder.Encoder(cache=False).encode(["hello world"])
        import huggingface_hub.constants
        assert huggingface_hub.constants.HF_HUB_OFFLINE, "offline must be set before huggingface_hub loads"
        assert os.environ["TRANSFORMERS_OFFLINE"] == "1"
        print(vectors.shape)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("(1, 384)")


@pytest.mark.slow
def test_encode_is_deterministic_and_normalised(model) -> None:
    enc = encoder.Encoder(model=model, cache=False)
    first, second = enc.encode(TEXTS[:40]), enc.encode(TEXTS[:40])
    assert first.shape == (40, encoder.DIMENSION) and first.dtype == np.float32
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_cached_rerun_is_identical_much_faster_and_skips_the_model(model, tmp_path: Path) -> None:
    enc = encoder.Encoder(model=model, cache_dir=tmp_path)
    start = time.perf_counter()
    first = enc.encode(TEXTS)
    cold = time.perf_counter() - start
    again = encoder.Encoder(model=model, cache_dir=tmp_path)  # a new process would read the same shards
    again.model = None  # any call to the model now fails
    start = time.perf_counter()
    second = again.encode(TEXTS)
    warm = time.perf_counter() - start
    assert np.array_equal(first, second)
    assert warm < cold / 5, f"cached re-run took {warm:.3f} s against {cold:.3f} s"


@pytest.mark.slow
def test_only_new_texts_are_encoded_once_each(model, tmp_path: Path) -> None:
    spy = Spy(model)
    enc = encoder.Encoder(model=spy, cache_dir=tmp_path)  # type: ignore[arg-type]
    enc.encode(TEXTS[:10])
    out = enc.encode([*TEXTS[5:15], TEXTS[12], TEXTS[12]])
    assert spy.calls[1] == TEXTS[10:15] and len(out) == 12
    assert np.array_equal(out[-1], out[7])


def test_tokenizer_is_the_models_own_wordpiece() -> None:
    tok = encoder.load_tokenizer()
    assert tok.encode("hello world").ids == [101, 7592, 2088, 102]


def test_a_cache_it_may_not_write_is_read_and_new_vectors_stay_in_memory(
    model, tmp_path: Path, monkeypatch
) -> None:
    """The grader's unprivileged test processes read the course's cache; new vectors are not stored."""
    import errno

    shared = tmp_path / "shared"
    encoder.Encoder(model=model, cache_dir=shared).encode(TEXTS[:5])  # the course's cache, written earlier
    shards = sorted(shared.rglob("*.npz"))
    assert shards and all(p.stat().st_mode & 0o044 == 0o044 for p in shards), "shards are readable by all"

    def refuse(folder: Path, keys, vectors) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    monkeypatch.setattr(encoder.EmbeddingCache, "_write", staticmethod(refuse))
    spy = Spy(model)
    enc = encoder.Encoder(model=spy, cache_dir=shared)  # type: ignore[arg-type]
    enc.encode(TEXTS[:8])
    enc.encode(TEXTS[:8])
    assert spy.calls == [TEXTS[5:8]], "the cached vectors are read, the new ones computed once per process"
    assert sorted(shared.rglob("*.npz")) == shards, "nothing is written where the process may not write"
