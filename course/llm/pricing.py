"""Token counting with the encoder's own tokenizer, and what a request costs.

Counting rule (the simulator's ``usage`` follows it exactly):

- ``count_tokens(text)``: WordPiece tokens of ``text`` without the special [CLS]/[SEP] tokens;
- ``prompt_tokens``: for every message, ``count_tokens(content) + MESSAGE_OVERHEAD``, plus
  ``REPLY_PRIMING`` once (the chat format's framing, as vendors bill it);
- ``completion_tokens``: ``count_tokens`` of the reply's content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from course.llm.config import ModelPrice

MESSAGE_OVERHEAD = 4
REPLY_PRIMING = 3


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from course.models.encoder import load_tokenizer

    return load_tokenizer()


def count_tokens(text: str) -> int:
    """Tokens in ``text`` for the simulator's models (no special tokens)."""
    return len(_tokenizer().encode(text, add_special_tokens=False).ids)


def message_text(content: Any) -> str:
    """The text of a message's ``content``: a string, or the text parts of a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return str(content)


def count_prompt_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """``prompt_tokens`` of a chat request (see the module docstring)."""
    return (
        sum(count_tokens(message_text(m.get("content"))) + MESSAGE_OVERHEAD for m in messages) + REPLY_PRIMING
    )


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` that holds at most ``max_tokens`` tokens."""
    encoding = _tokenizer().encode(text, add_special_tokens=False)
    if len(encoding.ids) <= max_tokens:
        return text
    return text[: encoding.offsets[max_tokens - 1][1]] if max_tokens > 0 else ""


def cost_usd(price: ModelPrice, prompt_tokens: int, completion_tokens: int) -> float:
    """What a request costs in US dollars at ``price``."""
    return (prompt_tokens * price.input_per_million + completion_tokens * price.output_per_million) / 1e6
