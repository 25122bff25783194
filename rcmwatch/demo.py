"""``rcmwatch demo`` (what ``make run`` calls): build the embedded default store if missing,
then run the dashboard at 127.0.0.1:8501 until Ctrl-C.

Later waves add to the same supervisor: the generated demo health system (first start), the
scheduler and the simulator."""

from __future__ import annotations

import socket
import sys
import urllib.request
from pathlib import Path

from rcmwatch.errors import ConfigError
from rcmwatch.supervisor import Child, Supervisor, child_env

REPO_ROOT = Path(__file__).resolve().parent.parent


def app_script() -> Path:
    script = REPO_ROOT / "app.py"
    if not script.is_file():
        raise ConfigError(
            f"dashboard script not found at {script}",
            next_step="run rcmwatch from its source checkout (make run)",
        )
    return script


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def dashboard_argv(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_script()),
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]


def healthy(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=timeout) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def run_demo(ctx) -> int:
    settings = ctx.settings
    host, port = settings.dashboard_host, settings.dashboard_port
    if not port_is_free(host, port):
        raise ConfigError(
            f"port {port} on {host} is already in use (another rcmwatch dashboard?)",
            next_step="stop it, or set RCMWATCH_DASHBOARD_PORT to a free port",
        )
    store = ctx.store(create=True)
    print(f"rcmwatch: store ready ({store.display_url}, schema {store.revision()})")
    env = child_env(
        RCMWATCH_DATABASE_URL=store.url.render_as_string(hide_password=False),
        RCMWATCH_DEMO="true",
    )
    store.dispose()
    dashboard = Child("dashboard", dashboard_argv(host, port), cwd=str(REPO_ROOT), env=env)
    announced = False

    def announce() -> None:
        nonlocal announced
        if not announced and healthy(host, port, timeout=0.2):
            announced = True
            print(f"rcmwatch: dashboard ready at http://{host}:{port} (Ctrl-C stops everything)")

    return Supervisor([dashboard]).run(on_tick=announce)
