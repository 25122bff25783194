"""A sources file for a system written by ``rcmwatch generate --out DIR``: its three SQLite source
databases through the shipped mappings (``collectors/mappings/generator/``), its clearinghouse
inbound folder, and its CSV exports (disabled: they hold the same rows as the databases — enable
them instead of the SQL sources to collect a CSV-only ERP)."""

from __future__ import annotations

from pathlib import Path

MAPPINGS = Path(__file__).resolve().parent / "mappings" / "generator"
SYSTEMS = ("engine", "workflow", "erp")


def broker_source_toml(amqp_url: str, management_url: str, prefix: str = "") -> str:
    """The broker the simulator publishes to (``rcmwatch.simulator.broker``): its interface
    queues and their dead-letter queues."""
    from sample_data.claim_story import INTERFACE_ROUTES

    interfaces = {f"{prefix}{q}": i for i, (_d, q, _e, _r, _t) in INTERFACE_ROUTES.items()}
    queues = [name for q in interfaces for name in (q, f"{q}.dlq")]
    mapped = ", ".join(f'"{q}" = "{i}"' for q, i in interfaces.items())
    listed = ", ".join(f'"{q}"' for q in queues)
    return (
        f'\n[source.broker]\nkind = "rabbitmq"\namqp_url = "{amqp_url}"\n'
        + (f'management_url = "{management_url}"\n' if management_url else "")
        + f"queues = [{listed}]\ninterfaces = {{ {mapped} }}\n"
    )


def generated_sources_toml(
    out: Path,
    *,
    cadence_seconds: int = 300,
    folder_cadence_seconds: int = 60,
    broker: str = "",
) -> str:
    out = Path(out).resolve()
    parts = [
        "# Written by rcmwatch for the generated health system in this folder.\n",
        f"[defaults]\ncadence_seconds = {cadence_seconds}\n",
    ]
    for system in SYSTEMS:
        db = out / "sources" / f"{system}.sqlite"
        parts.append(
            f'\n[source.{system}]\nkind = "sql"\nurl = "sqlite:///{db}"\n'
            f'mapping = "{MAPPINGS / f"{system}.toml"}"\n'
        )
    for system in SYSTEMS:
        parts.append(
            f'\n[source.{system}_exports]\nkind = "csv"\nenabled = false\n'
            f'folder = "{out / "exports" / system}"\n'
            f'mapping = "{MAPPINGS / f"{system}.toml"}"\nsettle_seconds = 0\n'
        )
    parts.append(
        f'\n[source.clearinghouse]\nkind = "edi_folder"\n'
        f'inbound = "{out / "clearinghouse" / "inbound"}"\n'
        f"cadence_seconds = {folder_cadence_seconds}\nsettle_seconds = 0\n"
    )
    parts.append(broker)
    return "".join(parts)


def write_generated_sources(
    out: Path, *, cadence_seconds: int = 300, folder_cadence_seconds: int = 60, broker: str = ""
) -> Path:
    """``DIR/sources.toml`` for a generated system (kept if it exists: it may have been
    edited)."""
    path = Path(out) / "sources.toml"
    if not path.exists():
        path.write_text(
            generated_sources_toml(
                out,
                cadence_seconds=cadence_seconds,
                folder_cadence_seconds=folder_cadence_seconds,
                broker=broker,
            )
        )
    return path
