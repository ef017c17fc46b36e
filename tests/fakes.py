"""Test doubles for the pipeline: detectors that succeed, raise, hang or crash their process."""

from __future__ import annotations

import os
import signal
import time

from synthcheck.detector import Detector
from synthcheck.model import Kind, Strength


class EchoDetector(Detector):
    """Reports the image size as a weak signal; decodes pixels so decode errors surface."""

    id = "echo"
    version = "0.1"
    media = frozenset({"image", "video"})

    def run(self, media):
        if media.kind == "image":
            h, w, _ = media.rgb.shape
        else:
            w, h = media.width, media.height
        if "noisy" in media.path.name:  # as a native library's logging would
            os.write(2, b"NATIVE-NOISE\n")
        score = 0.95 if "likely" in media.path.name else 0.1
        return [self.finding(f"image is {w}x{h}", strength=Strength.WEAK, score=score, kind=Kind.SIGNAL)]


class MisbehavingDetector(Detector):
    """Misbehaves according to the file name: 'raise', 'hang' or 'segv'."""

    id = "misbehave"
    version = "0.1"
    media = frozenset({"image", "video"})

    def run(self, media):
        name = media.path.name
        if "raise" in name:
            raise RuntimeError("boom")
        if "hang" in name:
            time.sleep(600)
        if "segv" in name:
            os.kill(os.getpid(), signal.SIGSEGV)
        return []


class BrokenLoadDetector(Detector):
    """Its load() always fails; each call appends a line to the file named by option 'fake.load_log'."""

    id = "brokenload"
    version = "0.1"
    media = frozenset({"image", "video"})

    def load(self):
        with open(self.context.options["fake.load_log"], "a") as fh:
            fh.write(f"{os.getpid()}\n")
        raise RuntimeError("weights missing")

    def run(self, media):
        raise AssertionError("run() must never be called after load() failed")


class NetworkDetector(Detector):
    """Tries the network according to the file name, so tests can prove workers are offline.

    'connect' ('connect_ex'): TCP to 127.0.0.1 on option 'fake.port' (a listener the test holds
    open, so the connection would succeed if it were allowed); 'udp': a datagram there; 'lookup': a DNS
    lookup of a public name.  Every file first round-trips a Unix socketpair, which must work.
    Reports the peer's reply as a finding when the network was reachable.
    """

    id = "network"
    version = "0.1"
    media = frozenset({"image", "video"})

    def run(self, media):
        import socket

        a, b = socket.socketpair()
        with a, b:
            a.sendall(b"ping")
            assert b.recv(4) == b"ping"
        name, port = media.path.name, int(self.context.options.get("fake.port", 9))
        if "connect" in name:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                if "connect_ex" in name:
                    if s.connect_ex(("127.0.0.1", port)) != 0:
                        return []
                else:
                    s.connect(("127.0.0.1", port))
                got = s.recv(16).decode()
            return [self.finding(f"reached the network: {got}", strength=Strength.WEAK, kind=Kind.SIGNAL)]
        if "udp" in name:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(b"x", ("127.0.0.1", port))
            return [self.finding("sent a datagram", strength=Strength.WEAK, kind=Kind.SIGNAL)]
        if "lookup" in name:
            socket.getaddrinfo("example.com", 443)
            return [self.finding("resolved a name", strength=Strength.WEAK, kind=Kind.SIGNAL)]
        return []
