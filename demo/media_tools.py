"""Media and sources for the demo's media-agent, studio-agent and sources-agent.

Everything is generated in code (no Pillow, no network): a solid-colour PNG made with
zlib/struct, a sine-tone WAV made with the `wave` module, PNG/JPEG/GIF/WebP/BMP header
parsing for image dimensions, and a fixed set of web sources with snippets.
"""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib
from typing import Any, Dict, List, Optional, Tuple

from agno.media import Audio, Image
from agno.tools.function import ToolResult

# ---------------------------------------------------------------------------
# Generated media
# ---------------------------------------------------------------------------

IMAGE_SIZE = 64
COLORS: Dict[str, Tuple[int, int, int]] = {
    "teal": (13, 148, 136),
    "red": (220, 38, 38),
    "green": (22, 163, 74),
    "blue": (37, 99, 235),
    "yellow": (234, 179, 8),
    "purple": (147, 51, 234),
    "orange": (234, 88, 12),
    "black": (0, 0, 0),
    "white": (255, 255, 255),
}
DEFAULT_COLOR = "teal"

TONE_HZ = 440
TONE_MS = 500
TONE_SAMPLE_RATE = 8000


def solid_png(width: int, height: int, rgb: Tuple[int, int, int]) -> bytes:
    """A width x height PNG (8-bit RGB, no interlace) filled with one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b"")


def sine_wav(frequency_hz: int = TONE_HZ, duration_ms: int = TONE_MS, sample_rate: int = TONE_SAMPLE_RATE) -> bytes:
    """A mono 16-bit PCM WAV of a sine tone (with 10 ms fades so it does not click)."""
    n = sample_rate * duration_ms // 1000
    fade = max(1, sample_rate // 100)
    frames = bytearray()
    for i in range(n):
        envelope = min(1.0, i / fade, (n - 1 - i) / fade)
        sample = int(0.4 * 32767 * envelope * math.sin(2 * math.pi * frequency_hz * i / sample_rate))
        frames += struct.pack("<h", sample)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(bytes(frames))
    return buf.getvalue()


# studio-agent's answer for "voice": the model itself returns the audio (response_audio).
VOICE_ANSWER = f"Speaking now: this answer comes with a {TONE_MS / 1000:g} s {TONE_HZ} Hz tone as its voice."


def color_in(text: str) -> str:
    """The first colour name in the text, else the default."""
    lowered = text.lower()
    hits = [(lowered.find(name), name) for name in COLORS if name in lowered]
    return min(hits)[1] if hits else DEFAULT_COLOR


# ---------------------------------------------------------------------------
# studio-agent tools: media attached the way agno's own media tools do it
# (DalleTools, ElevenLabsTools...): a ToolResult carrying Image / Audio objects.
# ---------------------------------------------------------------------------


def generate_image(description: str, color: str = DEFAULT_COLOR) -> ToolResult:
    """Generate an image: a 64x64 PNG square of one colour.

    Args:
        description: What the user asked for.
        color: Colour name (teal, red, green, blue, yellow, purple, orange, black, white).
    """
    color = color if color in COLORS else DEFAULT_COLOR
    image = Image(
        content=solid_png(IMAGE_SIZE, IMAGE_SIZE, COLORS[color]),
        mime_type="image/png",
        format="png",
        original_prompt=description,
        alt_text=f"A {IMAGE_SIZE}×{IMAGE_SIZE} {color} square",
    )
    return ToolResult(content=f"Generated a {IMAGE_SIZE}×{IMAGE_SIZE} PNG image of a {color} square.", images=[image])


def generate_tone(frequency_hz: int = TONE_HZ, duration_ms: int = TONE_MS) -> ToolResult:
    """Generate a short audio clip: a sine tone as a WAV file.

    Args:
        frequency_hz: Tone frequency in Hz.
        duration_ms: Length in milliseconds.
    """
    audio = Audio(
        content=sine_wav(frequency_hz, duration_ms),
        mime_type="audio/wav",
        format="wav",
        duration=duration_ms / 1000,
        sample_rate=TONE_SAMPLE_RATE,
        channels=1,
    )
    return ToolResult(
        content=f"Generated a {duration_ms / 1000:g} s {frequency_hz} Hz tone (WAV, {TONE_SAMPLE_RATE} Hz mono).",
        audios=[audio],
    )


# ---------------------------------------------------------------------------
# media-agent: describe what the run received
# ---------------------------------------------------------------------------


def image_dimensions(data: bytes) -> Optional[Tuple[int, int]]:
    """(width, height) from a PNG, GIF, JPEG, WebP or BMP header, else None."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:2] == b"BM":
            w, h = struct.unpack("<ii", data[18:26])
            return w, abs(h)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            kind = data[12:16]
            if kind == b"VP8X":
                return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
            if kind == b"VP8L":
                bits = int.from_bytes(data[21:25], "little")
                return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
            if kind == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return w & 0x3FFF, h & 0x3FFF
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    return None
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                length = struct.unpack(">H", data[i + 2 : i + 4])[0]
                # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC)
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                    return w, h
                i += 2 + length
    except (struct.error, IndexError):
        return None
    return None


def _content_bytes(media: Any) -> Optional[bytes]:
    content = getattr(media, "content", None)
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    return None


def attachment_name(media: Any) -> str:
    """File.filename, else files_metadata "filename"/"name", else File.name, else unnamed[.format]."""
    metadata = getattr(media, "metadata", None) or {}
    for candidate in (
        getattr(media, "filename", None),
        metadata.get("filename") if isinstance(metadata, dict) else None,
        metadata.get("name") if isinstance(metadata, dict) else None,
        getattr(media, "name", None),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    fmt = getattr(media, "format", None)
    return f"unnamed.{fmt}" if fmt else "unnamed"


def describe_attachment(media: Any, is_image: bool) -> str:
    """`name (mime, N bytes[, W×H])`."""
    mime = getattr(media, "mime_type", None) or getattr(media, "format", None) or "unknown"
    data = _content_bytes(media)
    if data is not None:
        size: Optional[int] = len(data)
    else:
        ref = getattr(media, "media_reference", None)
        size = getattr(ref, "size", None) or getattr(media, "size", None)
    parts = [mime, f"{size} bytes" if size is not None else "size unknown"]
    if is_image and data is not None:
        dims = image_dimensions(data)
        if dims is not None:
            parts.append(f"{dims[0]}×{dims[1]}")
    return f"{attachment_name(media)} ({', '.join(parts)})"


def describe_attachments(message: Any) -> str:
    """The media-agent's answer for the media agno put on the user message."""
    lines: List[str] = []
    if message is not None:
        for attr in ("images", "audio", "videos", "files"):
            for media in getattr(message, attr, None) or []:
                lines.append("- " + describe_attachment(media, is_image=(attr == "images")))
    if not lines:
        return "No attachments received."
    noun = "attachment" if len(lines) == 1 else "attachments"
    return f"Received {len(lines)} {noun}:\n" + "\n".join(lines)


# ---------------------------------------------------------------------------
# sources-agent: fixed web sources, a document, and the answer that cites them
# ---------------------------------------------------------------------------

WEB_SOURCES: List[Dict[str, str]] = [
    {
        "url": "https://docs.agno.com/introduction",
        "title": "What is Agno?",
        "snippet": "Agno is a Python framework for building multi-agent systems with shared memory, knowledge and reasoning.",
    },
    {
        "url": "https://docs.agno.com/agent-os/introduction",
        "title": "AgentOS",
        "snippet": "AgentOS is a FastAPI app that serves your agents, teams and workflows, streaming their runs as server-sent events.",
    },
]
DOCUMENT_SOURCE: Dict[str, str] = {
    "title": "Demo handbook",
    "file_name": "demo-handbook.pdf",
    "snippet": "The demo AgentOS is driven by a scripted model, so every answer is deterministic.",
}

SOURCES_ANSWER = (
    "Agno is a Python framework for building multi-agent systems [1]. "
    "AgentOS serves those agents over HTTP and streams each run as server-sent events [2]. "
    "In this demo a scripted model stands in for the LLM, so answers are deterministic [3]."
)


def sources_citations() -> Any:
    """agno Citations for SOURCES_ANSWER: [1] and [2] are urls[0] and urls[1], [3] is documents[0]."""
    from agno.models.message import Citations, DocumentCitation, UrlCitation

    raw: List[Dict[str, Any]] = []
    for i, s in enumerate(WEB_SOURCES, start=1):
        raw.append({"type": "url_citation", "index": i, "url": s["url"], "title": s["title"], "cited_text": s["snippet"]})
    raw.append(
        {
            "type": "document_citation",
            "index": len(WEB_SOURCES) + 1,
            "document_title": DOCUMENT_SOURCE["title"],
            "file_name": DOCUMENT_SOURCE["file_name"],
            "cited_text": DOCUMENT_SOURCE["snippet"],
        }
    )
    return Citations(
        raw=raw,
        search_queries=["agno agentos overview"],
        urls=[UrlCitation(url=s["url"], title=s["title"]) for s in WEB_SOURCES],
        documents=[
            DocumentCitation(
                document_title=DOCUMENT_SOURCE["title"],
                cited_text=DOCUMENT_SOURCE["snippet"],
                file_name=DOCUMENT_SOURCE["file_name"],
            )
        ],
    )


def search_sources(query: str, num_documents: Optional[int] = None, **kwargs: Any) -> List[Dict[str, Any]]:
    """knowledge_retriever of sources-agent: the same web sources as agno Document dicts
    (name, content, meta_data), which agno records as the run's `references`."""
    docs = [
        {"name": s["title"], "content": s["snippet"], "meta_data": {"url": s["url"], "title": s["title"], "index": i}}
        for i, s in enumerate(WEB_SOURCES, start=1)
    ]
    return docs[:num_documents] if num_documents else docs
