"""A deterministic, offline agno Model for the agno-chat demo backend.

ScriptedModel never talks to a network. It looks at the conversation it is
given (the last user message, and whether tool results have just arrived) and
follows a small per-agent "script": stream some text word by word, emit
reasoning deltas, call a tool, or raise. Everything is deterministic so that
tests can rely on the exact output.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Dict, Iterator, List, Optional, Tuple

from agno.media import Audio
from agno.metrics import MessageMetrics
from agno.models.base import Model
from agno.models.message import Citations, Message
from agno.models.response import ModelResponse

import media_tools

# Per-token delay used for messages containing "slow".
SLOW_TOKEN_DELAY_S = 0.3
# Upper bound on "long N".
MAX_LONG_TOKENS = 20000
# Cap on the simulated latency of a non-streaming model call.
MAX_NONSTREAM_DELAY_S = 5.0


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


@dataclass
class Plan:
    """What one model call produces."""

    reasoning: str = ""
    content: str = ""
    tool_calls: List[Dict[str, Any]] = field(default_factory=list)
    # Raise this error (after streaming `tokens_before_error` content tokens).
    error: Optional[str] = None
    tokens_before_error: int = 0
    delay_s: float = 0.03
    # Citations carried by the model response (after the content).
    citations: Optional[Citations] = None
    # Audio the model itself produces (agno's response_audio): WAV bytes, streamed in
    # chunks alongside the content tokens, with the tokens as transcript.
    audio: Optional[bytes] = None


def tokenize(text: str) -> List[str]:
    """Split text into word tokens; joining the tokens gives back the text."""
    if not text:
        return []
    tokens = re.findall(r"\s*\S+", text)
    consumed = sum(len(t) for t in tokens)
    if consumed < len(text):
        trailing = text[consumed:]
        if tokens:
            tokens[-1] += trailing
        else:
            tokens = [trailing]
    return tokens


def _split(data: bytes, n: int) -> List[bytes]:
    """data in n nearly equal consecutive pieces (n >= 1)."""
    n = max(1, n)
    step = -(-len(data) // n)
    return [data[i * step : (i + 1) * step] for i in range(n)]


def _model_audio(audio_id: str, content: bytes, transcript: str) -> Audio:
    """Model-produced audio on ModelResponse.audio, as agno's audio-capable models attach it.
    Raw bytes: agno would keep a str content as its UTF-8 bytes (so base64 text would be
    encoded twice)."""
    return Audio(
        id=audio_id,
        content=content,
        transcript=transcript,
        mime_type="audio/wav",
        format="wav",
        sample_rate=media_tools.TONE_SAMPLE_RATE,
        channels=1,
    )


def _next_call_id() -> str:
    return f"call_{uuid.uuid4().hex[:12]}"


def tool_call(name: str, args: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "id": _next_call_id(),
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(args)},
    }


# ---------------------------------------------------------------------------
# Canned texts
# ---------------------------------------------------------------------------

# TeX in an answer: inline and display math ("math" trigger).
MATH_SAMPLE = (
    "Einstein wrote $E = mc^2$, and the area under $x^2$ from 0 to 1 is\n\n"
    "$$\\int_0^1 x^2 \\, dx = \\frac{1}{3}$$\n\n"
    "A price of $5 stays text."
)

MARKDOWN_SAMPLE = """# Markdown sample

Here is some **bold**, some *italic*, some ~~strikethrough~~ and `inline code`.

## A list

- first item
- second item with a [link to agno](https://www.agno.com)
  - a nested item
- third item

1. numbered one
2. numbered two

## A table

| Agent | Tool | Streams |
|---|---|---|
| echo-agent | none | yes |
| weather-agent | get_weather | yes |
| confirm-agent | delete_file | yes |

## Code

```rust
fn main() {
    let greeting = "Hello from the demo";
    println!("{greeting}!");
}
```

> A blockquote to finish, and a final [documentation link](https://docs.agno.com)."""

XSS_SAMPLE = (
    "Echo (xss probe): <script>window.__xss=1</script> and "
    '<img src=x onerror="window.__xss=2"> must both be shown as plain text.'
)

_LONG_SEGMENTS = [
    "## Section {n}\n\n",
    "This is paragraph {n} of a long streamed answer. It mixes **bold text**, *emphasis* and `inline_code({n})` "
    "so that incremental markdown rendering gets exercised while tokens keep arriving.\n\n",
    "- bullet {n}.1 with a [link](https://example.com/{n})\n- bullet {n}.2 with `code`\n- bullet {n}.3\n\n",
    "| key | value |\n|---|---|\n| section | {n} |\n| status | streaming |\n\n",
    "```python\ndef section_{n}():\n    return {n} * 2\n```\n\n",
    "> Quote number {n}: streaming should stay smooth even for very long answers.\n\n",
    "1. first step of part {n}\n2. second step of part {n}\n\n",
]


def long_text(n_tokens: int) -> str:
    tokens: List[str] = []
    i = 0
    while len(tokens) < n_tokens:
        seg = _LONG_SEGMENTS[i % len(_LONG_SEGMENTS)].format(n=i // len(_LONG_SEGMENTS) + 1)
        tokens.extend(tokenize(seg))
        i += 1
    return "".join(tokens[:n_tokens])


# ---------------------------------------------------------------------------
# Message helpers
# ---------------------------------------------------------------------------


def _content_str(msg: Message) -> str:
    try:
        text = msg.get_content_string()
    except Exception:
        text = msg.content if isinstance(msg.content, str) else ""
    return text or ""


# agno (Model._handle_function_call_media) appends a user message with this text, carrying
# the images/audio/videos/files a tool produced, right after the tool results.
TOOL_MEDIA_NOTE = "The tool call above generated the attached media."


def _is_tool_media_note(messages: List[Message], i: int) -> bool:
    msg = messages[i]
    return msg.role == "user" and msg.content == TOOL_MEDIA_NOTE and i > 0 and messages[i - 1].role == "tool"


def last_user_message(messages: List[Message]) -> Optional[Message]:
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "user" and not _is_tool_media_note(messages, i):
            return messages[i]
    return None


def last_user_text(messages: List[Message]) -> str:
    msg = last_user_message(messages)
    return _content_str(msg).strip() if msg is not None else ""


def pending_tool_results(messages: List[Message]) -> Optional[List[Message]]:
    """Tool results that arrived after the last assistant tool call, if the
    conversation currently ends with tool results (possibly followed by agno's
    tool-media note); otherwise None."""
    if messages and _is_tool_media_note(messages, len(messages) - 1):
        messages = messages[:-1]
    if not messages or messages[-1].role != "tool":
        return None
    results: List[Message] = []
    for msg in reversed(messages):
        if msg.role == "tool":
            results.append(msg)
        else:
            break
    results.reverse()
    return results


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass
class ScriptedModel(Model):
    id: str = "scripted-1"
    name: Optional[str] = "ScriptedModel"
    provider: Optional[str] = "Offline"

    # Which behaviour to follow (see _plan_first_turn).
    script: str = "echo"
    # Delay between streamed tokens, in seconds.
    token_delay: float = 0.03
    # For team leaders: the member to delegate to.
    member_id: Optional[str] = None

    # ---- planning -------------------------------------------------------

    def plan(self, messages: List[Message]) -> Plan:
        user_text = last_user_text(messages)
        lowered = user_text.lower()
        delay = SLOW_TOKEN_DELAY_S if "slow" in lowered else self.token_delay

        if self.script == "fail":
            return Plan(error="ScriptedModel failure: fail-agent errors on every run", delay_s=delay)

        results = pending_tool_results(messages)
        if results is not None:
            return self._plan_after_tools(user_text, results, delay)
        if self.script == "media":
            return Plan(content=media_tools.describe_attachments(last_user_message(messages)), delay_s=delay)
        if self.script == "sources":
            return Plan(content=media_tools.SOURCES_ANSWER, citations=media_tools.sources_citations(), delay_s=delay)
        return self._plan_first_turn(user_text, delay)

    def _plan_first_turn(self, text: str, delay: float) -> Plan:
        lowered = text.lower()
        s = self.script

        if s == "echo":
            return self._plan_echo(text, delay)

        if s == "reasoning":
            reasoning = (
                f'The user wrote: "{text}". First, I restate the request in my own words. '
                "Second, I check whether any tool is needed (none is). "
                "Third, I draft a short, direct answer and double-check it."
            )
            return Plan(reasoning=reasoning, content=f"After thinking it over: {text}", delay_s=delay)

        if s == "weather":
            return Plan(tool_calls=[tool_call("get_weather", {"city": extract_city(text)})], delay_s=delay)

        if s == "confirm":
            return Plan(tool_calls=[tool_call("delete_file", {"path": extract_path(text)})], delay_s=delay)

        if s == "external":
            if "locale" in lowered:
                call = tool_call("get_browser_locale", {})
            elif "chart" in lowered:
                data = [
                    {"day": "Mon", "visitors": 120},
                    {"day": "Tue", "visitors": 180},
                    {"day": "Wed", "visitors": 150},
                    {"day": "Thu", "visitors": 210},
                    {"day": "Fri", "visitors": 190},
                ]
                call = tool_call("render_chart", {"title": "Visitors this week", "data": json.dumps(data)})
            elif "navigate" in lowered:
                call = tool_call("navigate", {"path": extract_nav_path(text)})
            else:
                call = tool_call("run_shell", {"command": text})
            return Plan(tool_calls=[call], delay_s=delay)

        if s == "input":
            return Plan(tool_calls=[tool_call("book_trip", {"destination": extract_destination(text)})], delay_s=delay)

        if s == "genui":
            if "broken" in lowered:
                call = tool_call("show_broken", {"topic": text})
            elif "unsafe" in lowered:
                call = tool_call("show_unsafe", {"topic": text})
            elif "report" in lowered:
                call = tool_call("show_report", {"topic": text})
            elif "table" in lowered:
                call = tool_call("show_table", {"topic": text})
            elif "cards" in lowered or "card" in lowered:
                call = tool_call("show_cards", {"topic": text})
            else:
                kind = "line" if "line" in lowered else "pie" if "pie" in lowered else "bar"
                call = tool_call("show_chart", {"topic": text, "kind": kind})
            return Plan(tool_calls=[call], delay_s=delay)

        if s == "studio":
            if "voice" in lowered:
                return Plan(content=media_tools.VOICE_ANSWER, audio=media_tools.sine_wav(), delay_s=delay)
            image_only, audio_only = "image only" in lowered, "audio only" in lowered
            calls = []
            if image_only or not audio_only:
                calls.append(tool_call("generate_image", {"description": text, "color": media_tools.color_in(text)}))
            if audio_only or not image_only:
                calls.append(
                    tool_call("generate_tone", {"frequency_hz": media_tools.TONE_HZ, "duration_ms": media_tools.TONE_MS})
                )
            return Plan(tool_calls=calls, delay_s=delay)

        if s == "leader":
            return Plan(
                tool_calls=[tool_call("delegate_task_to_member", {"member_id": self.member_id, "task": text})],
                delay_s=delay,
            )

        return Plan(content=f"Echo: {text}", delay_s=delay)

    def _plan_echo(self, text: str, delay: float) -> Plan:
        lowered = text.lower()
        plan = Plan(delay_s=delay)
        if "think" in lowered:
            plan.reasoning = "Let me think about this step by step."

        long_match = re.search(r"\blong\s+(\d+)", lowered)
        if "xss" in lowered:
            plan.content = XSS_SAMPLE
        elif "markdown" in lowered:
            plan.content = MARKDOWN_SAMPLE
        elif "math" in lowered:
            plan.content = MATH_SAMPLE
        elif long_match:
            n = max(1, min(int(long_match.group(1)), MAX_LONG_TOKENS))
            plan.content = long_text(n)
        else:
            plan.content = f"Echo: {text}"
        # "rate R": stream at R tokens per second (benchmarks).
        rate_match = re.search(r"\brate\s+(\d+)", lowered)
        if rate_match and int(rate_match.group(1)) > 0:
            plan.delay_s = 1.0 / int(rate_match.group(1))

        if "boom" in lowered:
            plan.error = "ScriptedModel exploded on purpose (boom)"
            plan.tokens_before_error = 3
        return plan

    def _plan_after_tools(self, user_text: str, results: List[Message], delay: float) -> Plan:
        texts = [_content_str(m) for m in results]
        if self.script == "genui":
            parts = []
            for t in texts:
                try:
                    spec = json.loads(t).get("ui", {})
                    lead = {"card-grid": "Here are the cards"}.get(
                        spec.get("type", ""), f"Here is the {spec.get('type') or 'result'}"
                    )
                    title = spec.get("title") or "your data"
                    parts.append(f"{lead} you asked for: {title}.")
                except Exception:
                    parts.append(f"Tool said: {t}")
            return Plan(content=" ".join(parts), delay_s=delay)
        return Plan(content="Tool said: " + " ".join(texts), delay_s=delay)

    # ---- helpers -------------------------------------------------------

    @staticmethod
    def _usage(messages: List[Message], plan: Plan) -> MessageMetrics:
        input_tokens = sum(len(tokenize(_content_str(m))) for m in messages)
        output_tokens = len(tokenize(plan.content)) + len(tokenize(plan.reasoning)) + len(plan.tool_calls) * 8
        return MessageMetrics(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
            reasoning_tokens=len(tokenize(plan.reasoning)),
        )

    def _deltas(self, messages: List[Message]) -> Iterator[Any]:
        """Yields ModelResponse deltas, or ("sleep", seconds) markers, or raises."""
        plan = self.plan(messages)
        if plan.error is not None and plan.tokens_before_error == 0:
            yield ("sleep", plan.delay_s)
            raise RuntimeError(plan.error)
        yield ("sleep", plan.delay_s)
        for tok in tokenize(plan.reasoning):
            yield ModelResponse(role="assistant", reasoning_content=tok)
            yield ("sleep", plan.delay_s)
        tokens = tokenize(plan.content)
        audio_chunks = _split(plan.audio, len(tokens)) if plan.audio is not None else []
        audio_id = f"audio_{uuid.uuid4().hex[:12]}"
        for i, tok in enumerate(tokens):
            if plan.error is not None and i >= plan.tokens_before_error:
                raise RuntimeError(plan.error)
            delta = ModelResponse(role="assistant", content=tok)
            if i < len(audio_chunks):
                delta.audio = _model_audio(audio_id, audio_chunks[i], tok)
            yield delta
            yield ("sleep", plan.delay_s)
        if plan.error is not None:
            raise RuntimeError(plan.error)
        final = ModelResponse(role="assistant", response_usage=self._usage(messages, plan))
        if plan.tool_calls:
            final.tool_calls = plan.tool_calls
        if plan.citations is not None:
            final.citations = plan.citations
        yield final

    def _full_response(self, messages: List[Message]) -> Tuple[Optional[ModelResponse], float, Optional[str]]:
        plan = self.plan(messages)
        n = len(tokenize(plan.reasoning)) + len(tokenize(plan.content)) + 1
        latency = min(n * plan.delay_s, MAX_NONSTREAM_DELAY_S)
        if plan.error is not None:
            return None, latency, plan.error
        resp = ModelResponse(
            role="assistant",
            content=plan.content or None,
            reasoning_content=plan.reasoning or None,
            tool_calls=plan.tool_calls,
            citations=plan.citations,
            response_usage=self._usage(messages, plan),
        )
        if plan.audio is not None:
            resp.audio = _model_audio(f"audio_{uuid.uuid4().hex[:12]}", plan.audio, plan.content)
        return resp, latency, None

    # ---- agno Model API -------------------------------------------------

    def invoke(self, messages: List[Message], assistant_message: Message, **kwargs: Any) -> ModelResponse:
        resp, latency, error = self._full_response(messages)
        time.sleep(latency)
        if error is not None:
            raise RuntimeError(error)
        assert resp is not None
        return resp

    async def ainvoke(self, messages: List[Message], assistant_message: Message, **kwargs: Any) -> ModelResponse:
        resp, latency, error = self._full_response(messages)
        await asyncio.sleep(latency)
        if error is not None:
            raise RuntimeError(error)
        assert resp is not None
        return resp

    def invoke_stream(
        self, messages: List[Message], assistant_message: Message, **kwargs: Any
    ) -> Iterator[ModelResponse]:
        for item in self._deltas(messages):
            if isinstance(item, tuple):
                time.sleep(item[1])
            else:
                yield item

    async def ainvoke_stream(
        self, messages: List[Message], assistant_message: Message, **kwargs: Any
    ) -> AsyncIterator[ModelResponse]:
        for item in self._deltas(messages):
            if isinstance(item, tuple):
                await asyncio.sleep(item[1])
            else:
                yield item

    def _parse_provider_response(self, response: Any, **kwargs: Any) -> ModelResponse:
        return response

    def _parse_provider_response_delta(self, response: Any) -> ModelResponse:
        return response


# ---------------------------------------------------------------------------
# Argument extraction
# ---------------------------------------------------------------------------


def extract_city(text: str) -> str:
    m = re.search(r"\b(?:in|for|at)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)", text)
    if m:
        return m.group(1)
    cleaned = text.strip().strip("?!.,;:").strip()
    return cleaned or "Paris"


def extract_path(text: str) -> str:
    for tok in text.split():
        tok = tok.strip("\"'`,;")
        if tok.startswith(("/", "~", "./")) or re.match(r"^[\w.-]+\.[A-Za-z0-9]{1,5}$", tok):
            return tok
    return text.strip() or "/tmp/example.txt"


def extract_nav_path(text: str) -> str:
    for tok in text.split():
        tok = tok.strip("\"'`,;")
        if tok.startswith("/"):
            return tok
    return "/settings"


def extract_destination(text: str) -> str:
    m = re.search(r"\bto\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)", text)
    if m:
        return m.group(1)
    return "Lisbon"
