"""A ClamAV daemon of the test session's own: a temporary configuration, its socket in a temporary
directory, and a signature database the tests make (the EICAR test signature), since CI cannot
download ClamAV's. Debian's clamav-daemon provides /usr/sbin/clamd; its own service is not used."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from kuntadigi.core import virus_scan

# The EICAR anti-virus test file: harmless, and recognised as "infected" by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Kuntadigi.Test.EICAR"

# The limits as in production (docs/uploads.md), small enough for a small zip bomb to pass them: a file
# (or a file inside an archive) over 21 MB, more than 4 levels of archives or 50 files in an archive is
# not scanned, and AlertExceedsMax reports it as Heuristics.Limits.Exceeded.*, which the service refuses.
CONFIG = """\
LocalSocket {directory}/clamd.sock
LocalSocketMode 600
Foreground yes
DatabaseDirectory {directory}/db
TemporaryDirectory {directory}/tmp
LogFile {directory}/clamd.log
Bytecode no
StreamMaxLength 21M
MaxFileSize 21M
MaxScanSize 40M
MaxRecursion 4
MaxFiles 50
AlertExceedsMax yes
"""


def find_clamd() -> str | None:
    return shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/local/sbin")


@dataclass
class Clamd:
    socket: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(binary: str, directory: Path, timeout: float = 60) -> Clamd:
    (directory / "db").mkdir(parents=True)
    (directory / "tmp").mkdir()
    # An .ndb body signature: any file type (0), anywhere in the file (*), the EICAR string in hex.
    (directory / "db" / "kuntadigi-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    config = directory / "clamd.conf"
    config.write_text(CONFIG.format(directory=directory))
    socket_path = str(directory / "clamd.sock")
    process = subprocess.Popen([binary, "--config-file", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    daemon = Clamd(socket_path, process, directory / "clamd.log")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"clamd stopped at start (exit {process.returncode}): {process.stderr.read().decode(errors='replace')[-2000:]}")
        if os.path.exists(socket_path) and virus_scan.ping(socket_path=socket_path):
            return daemon
        time.sleep(0.1)
    daemon.stop()
    raise RuntimeError(f"clamd did not answer on {socket_path} within {timeout} s; see {daemon.log}")
