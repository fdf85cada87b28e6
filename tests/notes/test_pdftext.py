"""The tests' PDF reader reads every stream, also one whose compressed data happens to end in a CR byte
(the zlib checksum's last byte is 13 for about one text in 256: the record book's text changes with the
time it was made, so such a PDF turns up now and then)."""

from __future__ import annotations

import zlib

from tests.notes.pdftext import _streams


def test_a_stream_whose_data_ends_in_cr_is_read() -> None:
    text = next(t for n in range(10_000) if zlib.compress(t := b"BT (line %d) Tj ET" % n)[-1:] == b"\r")
    pdf = b"%PDF-1.3\n1 0 obj <<>> stream\n" + zlib.compress(text) + b"\nendstream endobj\n"
    assert _streams(pdf) == [text]


def test_a_stream_ended_by_cr_lf_is_read() -> None:
    pdf = b"1 0 obj <<>> stream\r\n" + zlib.compress(b"BT (x) Tj ET") + b"\r\nendstream endobj\n"
    assert _streams(pdf) == [b"BT (x) Tj ET"]
