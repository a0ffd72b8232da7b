"""Model answers on disk, keyed by everything that shapes them: model, messages, schema and options.

Each answer also records the digest of the model that gave it, so that a model pulled again
under the same name is asked again (see ``factorlab.llm.analyst``).

A rerun of a notebook reads them back and makes no model call.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from factorlab._files import cache_root, write_atomic

__all__ = ["AnswerCache", "answer_key"]


def answer_key(**parts: Any) -> str:
    """A stable hash of the request's parts (JSON with sorted keys)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnswerCache:
    """One JSON file per answer under ``root`` (``<key[:2]>/<key>.json``), written atomically.

    An entry that does not parse is ignored (and rewritten by the next answer).

    Examples
    --------
    >>> import tempfile
    >>> cache = AnswerCache(tempfile.mkdtemp())
    >>> cache.put("abc123", {"summary": "fine"})
    >>> cache.get("abc123")
    {'summary': 'fine'}
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else cache_root() / "llm"

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any | None:
        """The answer stored under ``key``, or None when there is none or it does not parse."""
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))["answer"]
        except (OSError, ValueError, KeyError, TypeError):  # absent or damaged: ask again
            return None

    def entry(self, key: str) -> tuple[Any, str | None] | None:
        """The answer under ``key`` and the model digest it came from (None: not recorded)."""
        try:
            stored = json.loads(self._path(key).read_text(encoding="utf-8"))
            return stored["answer"], stored.get("digest")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, answer: Any, digest: str | None = None) -> None:
        """``answer`` (anything JSON can hold) stored under ``key``, replacing any entry there.

        ``digest`` records which version of the model gave it. The file is written atomically;
        its folder is made when missing.
        """
        text = json.dumps({"answer": answer, "digest": digest}, ensure_ascii=False, indent=1)
        write_atomic(self._path(key), lambda target: target.write_text(text, encoding="utf-8"))
