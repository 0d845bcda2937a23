"""The `loa` command: `loa run` starts the demo; anything else is a manage.py command.

`loa run` is what the README's first command ends in: it migrates, loads the demo data
(only what is missing, so a second run keeps everything), starts the task worker beside
the web server and prints where to sign in.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path


def _development_environment() -> None:
    var_dir = Path(os.environ.setdefault("LOA_VAR_DIR", str(Path.cwd() / "var")))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LOA_DEBUG", "true")
    key_file = var_dir / "secret-key"
    if "SECRET_KEY" not in os.environ:
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        os.environ["SECRET_KEY"] = key_file.read_text().strip()


def _manage(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["loa", *argv])


def _own_address() -> str:
    """This machine's address on the office network, as colleagues' phones reach it."""
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
    return address


def run(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    host, _, port = address.rpartition(":")
    if host in ("0.0.0.0", "[::]"):  # noqa: S104 - serving the demo to the LAN is the point
        # Colleagues on the office network reach the demo by this machine's own address.
        os.environ.setdefault("ALLOWED_HOSTS", "*")
        host = _own_address()
    elif not host:
        host = "127.0.0.1"
    # Links in e-mails and the QR codes (feedback box, check-in, Zalo groups) name this address.
    os.environ.setdefault("SITE_URL", f"http://{host}:{port}")
    # The demo runs as Loa runs for its users, not in debug mode: Vietnamese error pages, and
    # nothing of the settings shown to colleagues on the network. LOA_DEBUG=true brings
    # Django's debug pages back for a developer.
    os.environ.setdefault("LOA_DEBUG", "false")
    os.environ.setdefault("LOA_HTTPS", "false")  # plain http on this machine or the LAN
    os.environ.setdefault("ALLOWED_HOSTS", f"{host},127.0.0.1,localhost")
    _development_environment()
    _manage(["migrate", "--noinput", "--verbosity", "0"])
    if os.environ["LOA_DEBUG"].lower() not in ("1", "true", "yes", "on"):
        _manage(["collectstatic", "--noinput", "--verbosity", "0"])  # served by whitenoise
    _manage(["demo", "--url", os.environ["SITE_URL"].rstrip("/") + "/"])
    sys.stdout.flush()  # the sign-in details first, even when the output goes to a file
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "loa", "db_worker", "--queue-name", "*", "--no-reload"],
    )
    try:
        return subprocess.call(  # noqa: S603
            [sys.executable, "-m", "loa", "runserver", "--noreload", address]
        )
    except KeyboardInterrupt:
        return 0
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings")
    argv = sys.argv[1:]
    if argv[:1] == ["run"]:
        sys.exit(run(argv[1:]))
    if os.environ.get("LOA_DEBUG", "").lower() in ("1", "true", "yes", "on"):
        _development_environment()
    _manage(argv)


if __name__ == "__main__":
    main()
