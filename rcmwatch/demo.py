"""``rcmwatch demo`` (what ``make run`` calls): build the embedded default store if missing, start
the dashboard at 127.0.0.1:8501 at once and, on first start, build the demo health system beside
it (generate with as-of = today → reference data → ingest → collect; the Overview shows the
progress), then the scheduler (collectors on the demo system's sources file) and the simulator
(``rcmwatch simulate``: the system continues live; its clock is the app's as-of) — both wait for
the load to finish. One Ctrl-C stops everything. Without RabbitMQ the simulator and the broker
source run on and say "not connected"."""

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
    url = store.url.render_as_string(hide_password=False)
    env = child_env(RCMWATCH_DATABASE_URL=url, RCMWATCH_DEMO="true")
    children = [Child("dashboard", dashboard_argv(host, port), cwd=str(REPO_ROOT), env=env)]
    loader = demo_loader_child(ctx, store, url, env)
    if loader is not None:
        children.append(loader)
    if loader is not None or _demo_system_loaded(store):
        children += demo_service_children(ctx, url, env)
    store.dispose()
    announced = False

    def announce() -> None:
        nonlocal announced
        if not announced and healthy(host, port, timeout=0.2):
            announced = True
            print(f"rcmwatch: dashboard ready at http://{host}:{port} (Ctrl-C stops everything)")

    return Supervisor(children).run(on_tick=announce)


def _demo_system_loaded(store) -> bool:
    from rcmwatch.demo_loader import read_progress

    progress = read_progress(store)
    return progress is not None and progress.phase == "done"


def demo_service_children(ctx, url: str, env: dict[str, str]) -> list[Child]:
    """The scheduler and the simulator of the demo system (they start once it is loaded)."""
    system = ctx.settings.home_path / "demo-system"
    cli = [sys.executable, "-m", "rcmwatch", "--db", url]
    return [
        Child(
            "scheduler",
            [*cli, "scheduler", "--sources", str(system / "sources.toml"), "--after-demo-load"],
            cwd=str(REPO_ROOT),
            env=env,
            required=False,
        ),
        Child(
            "simulator",
            [*cli, "simulate", "--system", str(system), "--after-demo-load"],
            cwd=str(REPO_ROOT),
            env=env,
            required=False,
        ),
    ]


def demo_loader_child(ctx, store, url: str, env: dict[str, str]) -> Child | None:
    """The demo health system's loader, unless the store already holds it (or other data)."""
    from rcmwatch.demo_loader import read_progress
    from rcmwatch.queries.inventory import holds_source_data, store_inventory

    progress = read_progress(store)
    if progress is not None and progress.phase == "done":
        return None
    if progress is None and holds_source_data(store_inventory(store)):
        return None  # a store with real data: never mix the demo system into it
    as_of = ctx.clock.now().date()
    system = ctx.settings.home_path / "demo-system"
    print(f"rcmwatch: building the demo health system in {system} (as of {as_of})")
    argv = [
        sys.executable,
        "-m",
        "rcmwatch.demo_loader",
        "--db",
        url,
        "--system",
        str(system),
        "--claims",
        str(ctx.settings.demo_claims),
        "--as-of",
        as_of.isoformat(),
    ]
    return Child("demo loader", argv, cwd=str(REPO_ROOT), env=env, required=False)
