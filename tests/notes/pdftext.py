"""A small text extractor for the PDFs fpdf2 writes (Identity-H fonts with a ToUnicode map).

No PDF library is installed, and the tests must read what a person would read in the PDF.
"""

from __future__ import annotations

import contextlib
import re
import zlib


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    # The data runs up to the newline before "endstream". A writer may end it with CR LF instead; but a
    # CR there may as well be the compressed data's own last byte (about one stream in 256), so both
    # readings are tried rather than the CR dropped by the pattern.
    for match in re.finditer(rb"stream\r?\n(.*?)\nendstream", pdf, re.S):
        data = match.group(1)
        for candidate in (data, data[:-1]) if data.endswith(b"\r") else (data,):
            with contextlib.suppress(zlib.error):
                data = zlib.decompress(candidate)
                break
        out.append(data)
    return out


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(literal):
        c = literal[i]
        if c == 0x5C and i + 1 < len(literal):  # backslash
            n = literal[i + 1]
            simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
            if n in simple:
                out.append(simple[n])
                i += 2
            elif 0x30 <= n <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4]).group(0)  # type: ignore[union-attr]
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
            else:
                out.append(n)
                i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    streams = _streams(pdf)
    cmap: dict[int, str] = {}
    for s in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", s, re.S):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                start = int(dst, 16)
                for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    cmap[code] = chr(start + k)
    lines = []
    for s in streams:
        if b"BT" not in s:
            continue
        for block in re.findall(rb"BT(.*?)ET", s, re.S):
            raw = b"".join(_unescape(lit) for lit in re.findall(rb"\(((?:\\.|[^\\)])*)\)", block, re.S))
            if raw:
                lines.append(
                    "".join(cmap.get(int.from_bytes(raw[i : i + 2], "big"), "?") for i in range(0, len(raw), 2))
                )
    return "\n".join(lines)
