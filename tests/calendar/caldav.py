"""A real CalDAV server for tests: Radicale on a free local port, its own folder, no authentication."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import free_port


class Radicale:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        config = folder / "config"
        config.write_text("[logging]\nlevel = warning\n")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "radicale",
                "--config",
                str(config),
                "--server-hosts",
                f"127.0.0.1:{self.port}",
                "--auth-type",
                "none",
                "--rights-type",
                "authenticated",
                "--storage-filesystem-folder",
                str(folder / "collections"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.request("OPTIONS", "/")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Radicale did not start: " + self.stop()) from None
                time.sleep(0.1)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> str:
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return (err or b"").decode(errors="replace")
