"""``rcmwatch settings``: show resolved settings, or the README's configuration table."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("settings", parents=[common], help="show the resolved settings")
    p.add_argument("--markdown", action="store_true", help="print the README configuration table")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from rcmwatch.settings import settings_markdown_table

    if args.markdown:
        print(settings_markdown_table())
        return 0
    for setting, value, origin in ctx.settings.items():
        print(f"{setting.env}={setting.shown(value)}  [{origin}]")
    print(f"effective store: {_redact(ctx.settings.effective_database_url)}")
    return 0


def _redact(url: str) -> str:
    """Hide a password in a URL: settings output may be pasted into tickets."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            creds = creds.split(":", 1)[0] + ":***"
        return f"{scheme}://{creds}@{host}"
    return url
