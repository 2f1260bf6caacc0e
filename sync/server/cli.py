"""`inspector-server`: run the central server and administer it.

    inspector-server --data-dir D [--host H] [--port P] [--database-url URL]
                     [--ssl-certfile F --ssl-keyfile F] [--workers N]      # serve (default)
                     [--trusted-proxy ADDRESS ...] [--device-quota-mb MB]
    inspector-server --data-dir D device add --inspector NAME [--agency A] [--role supervisor]
    inspector-server --data-dir D device list [--json]
    inspector-server --data-dir D device revoke DEVICE_ID
    inspector-server --data-dir D stats [--json]
    inspector-server --data-dir D import FILE
    inspector-server --data-dir D review ...        # refused: decisions are signed (below)
    inspector-server --data-dir D reference put KIND ITEM_ID FILE.json
    inspector-server --data-dir D agency NAME
    inspector-server --data-dir D handover KIND RECORD_ID --to DEVICE_ID [--reason T] [--by NAME]
    inspector-server --data-dir D handovers [--kind K] [--record ID] [--device ID] [--json]

Without --database-url the server keeps a SQLite database in the data folder; with
`postgresql+psycopg://...` several server processes can share one database. Attachments
are always kept in the data folder (share it between the processes of one deployment).
Environment: INSPECTOR_SERVER_ENROL_LIMIT (enrolment attempts per address per 10 minutes),
INSPECTOR_SERVER_ATTACHMENT_QUOTA_MB (attachments per device, default 20480),
INSPECTOR_SERVER_PARTIAL_HOURS (unfinished uploads kept, default 48). Every process logs to
`logs/server.log` in the data folder and to stderr (see sync/server/logs.py).
Reviews are signed decisions made on a supervisor's device (`inspector review decide`),
enrolled with `device add --role supervisor`; the unsigned admin review is no more (the
reviews it made stay readable and in the devices' feed).
Exit codes: 0 ok, 1 a refused input, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ENV_DATA = "INSPECTOR_SERVER_DATA_DIR"
ENV_URL = "INSPECTOR_SERVER_DATABASE_URL"
ENV_LIMIT = "INSPECTOR_SERVER_ENROL_LIMIT"
ENV_ATTACHMENT_QUOTA = "INSPECTOR_SERVER_ATTACHMENT_QUOTA_MB"  # attachments per device, MiB
ENV_PARTIAL_HOURS = "INSPECTOR_SERVER_PARTIAL_HOURS"  # unfinished uploads kept, hours
ENV_PROXIES = "INSPECTOR_SERVER_TRUSTED_PROXIES"  # comma-separated addresses or networks
ENV_QUOTA = "INSPECTOR_SERVER_DEVICE_QUOTA_MB"  # batches and record contents per device, MiB


def _config(data_dir: Path, url: str | None, proxies: list[str] | None = None,
            quota_mb: int | None = None):
    from sync.server import limits
    from sync.server.app import ServerConfig
    from sync.server.db import default_url

    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if proxies is None:
        proxies = os.environ.get(ENV_PROXIES, "").split(",")
    if quota_mb is None:
        quota_mb = int(os.environ.get(ENV_QUOTA, "0")) or limits.DEFAULT_DEVICE_QUOTA >> 20
    config = ServerConfig(data_dir=data_dir, database_url=url or default_url(data_dir),
                          enrol_limit=int(os.environ.get(ENV_LIMIT, "10")),
                          trusted_proxies=tuple(p for p in proxies if p.strip()),
                          device_quota=quota_mb << 20)
    if os.environ.get(ENV_ATTACHMENT_QUOTA):
        config.attachment_quota = int(os.environ[ENV_ATTACHMENT_QUOTA]) * 1024 * 1024
    if os.environ.get(ENV_PARTIAL_HOURS):
        config.partial_max_age = float(os.environ[ENV_PARTIAL_HOURS]) * 3600
    return config


def app_from_env():
    """The ASGI app for uvicorn (`sync.server.cli:app_from_env`, factory)."""
    from sync.server.app import create_app

    return create_app(_config(Path(os.environ[ENV_DATA]), os.environ.get(ENV_URL) or None))


def parser() -> argparse.ArgumentParser:
    from inspector_app import version

    p = argparse.ArgumentParser(prog="inspector-server", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"inspector-server {version()}")
    p.add_argument("--data-dir", type=Path, required=True, help="server data folder")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in the data folder)")
    p.add_argument("--ssl-certfile", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--ssl-keyfile", help="the certificate's private key (PEM)")
    p.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    p.add_argument("--trusted-proxy", action="append", metavar="ADDRESS",
                   help="a reverse proxy (address or network) whose X-Forwarded-For is "
                        "believed; repeat for several (default: none)")
    p.add_argument("--device-quota-mb", type=int, metavar="MB",
                   help="storage for each device's batches and records (default 2048)")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the server (the default)")
    dev = sub.add_parser("device", help="enrol, list and revoke devices")
    dsub = dev.add_subparsers(dest="device_command", required=True)
    add = dsub.add_parser("add", help="make a one-time enrolment code for a device")
    add.add_argument("--inspector", required=True, help="whose device it is")
    add.add_argument("--agency", default="")
    add.add_argument("--role", choices=["inspector", "supervisor"], default="inspector",
                     help="an inspector's device (the default) or a supervisor's, which "
                          "reviews the agency's records")
    ls = dsub.add_parser("list")
    ls.add_argument("--json", action="store_true")
    rv = dsub.add_parser("revoke")
    rv.add_argument("device_id")
    st = sub.add_parser("stats", help="record counts: by kind, state, result and review "
                                      "state")
    st.add_argument("--json", action="store_true")
    st.add_argument("--details", action="store_true", help="also versions, batches, conflicts")
    im = sub.add_parser("import", help="import a batch file made by `inspector batch export`")
    im.add_argument("file", type=Path)
    re_ = sub.add_parser("review", help="refused: reviews are signed decisions made on a "
                                        "supervisor's device")
    re_.add_argument("args", nargs=argparse.REMAINDER)
    ref = sub.add_parser("reference", help="publish reference data to every device")
    rsub = ref.add_subparsers(dest="reference_command", required=True)
    put = rsub.add_parser("put")
    put.add_argument("kind", help="market / inspector / legal_basis / form ...")
    put.add_argument("item_id")
    put.add_argument("file", type=Path, help="the item's content as a JSON object")
    ag = sub.add_parser("agency", help="set the agency name given to enrolled devices")
    ag.add_argument("name")
    ho = sub.add_parser("handover", help="hand a record to another device (recorded)")
    ho.add_argument("kind")
    ho.add_argument("record_id")
    ho.add_argument("--to", required=True, dest="to_device", help="the device it goes to")
    ho.add_argument("--reason", default="")
    ho.add_argument("--by", default="", help="who decided (default: admin:<login name>)")
    hl = sub.add_parser("handovers", help="list the recorded handovers")
    hl.add_argument("--kind")
    hl.add_argument("--record", dest="record_id")
    hl.add_argument("--device", help="handovers this device gave or received")
    hl.add_argument("--json", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        config = _config(args.data_dir, args.database_url, args.trusted_proxy,
                         args.device_quota_mb)
    except ValueError as exc:
        p.error(str(exc))
    command = args.command or "serve"
    if command == "serve":
        return _serve(args, config)

    from sync.protocol import ProtocolError
    from sync.server import service
    from sync.server.db import Database

    db = Database(config.database_url)
    try:
        if command == "device":
            return _device(args, db, service)
        if command == "stats":
            return _stats(args, db, service)
        if command == "import":
            try:
                data = args.file.read_bytes()
            except OSError as exc:
                print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
                return 2
            receipts = service.import_file(db, data, quota=config.device_quota)
            for r in receipts:
                print(f"batch {r['seq']:>6} {r['batch_id']} {r['status']} "
                      f"{r['records']} records")
            print(f"{len(receipts)} batches imported")
            return 0
        if command == "review":
            print("refused: a review is a decision signed on a supervisor's device: enrol "
                  "one with `inspector-server device add --inspector NAME --role "
                  "supervisor`, then decide there (`inspector review decide KIND ID "
                  "--approve | --return TEXT | --reject TEXT`)", file=sys.stderr)
            return 1
        if command == "reference":
            content = json.loads(args.file.read_text(encoding="utf-8"))
            if not isinstance(content, dict):
                print("the reference item must be a JSON object", file=sys.stderr)
                return 2
            version = service.put_reference(db, args.kind, args.item_id, content)
            print(f"{args.kind} {args.item_id} version {version}")
            return 0
        if command in ("handover", "handovers"):
            return _handover(args, db)
        if command == "agency":
            with db.write() as session:
                service.set_setting(session, "agency", args.name)
            return 0
    except ProtocolError as exc:
        print(f"refused: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 2


def _stats(args, db, service) -> int:
    from sync.server import review

    data = review.stats(db)
    if args.details:
        data = service.details(db) | data
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    for kind, n in data["records"].items():
        states = ", ".join(f"{s or '-'} {c}" for s, c in sorted(data["states"][kind].items()))
        results = ", ".join(f"{r} {c}" for r, c in sorted(data["results"].get(kind, {}).items()))
        print(f"{kind:<12}{n:>10}" + (f"  ({states})" if states else "")
              + (f"  [{results}]" if results else ""))
    print("review      " + ", ".join(f"{s} {n}" for s, n in data["review"].items()))
    print(f"{'conflicts':<12}{data['open_conflicts']:>10}  (unresolved)")
    if args.details:
        for key in ("versions", "batches", "conflicts", "attachments", "devices"):
            print(f"{key:<12}{data[key]:>10}")
    return 0


def _device(args, db, service) -> int:
    if args.device_command == "add":
        code = service.new_enrolment(db, args.inspector, args.agency, args.role)
        role = "supervisor's device" if args.role == "supervisor" else "device"
        print(f"Enrolment code for {args.inspector}'s {role} (valid "
              f"{service.ENROL_CODE_DAYS} days, usable once):")
        print(code)
        return 0
    if args.device_command == "list":
        devices = service.list_devices(db)
        if args.json:
            print(json.dumps(devices, ensure_ascii=False, indent=1))
            return 0
        for d in devices:
            if d["device_id"] is None:
                print(f"{'(code not used yet)':<38} {d['inspector']:<16} {d['role']:<10} "
                      f"expires {d['expires_at']}")
                continue
            state = "revoked" if d["revoked_at"] else "active"
            gap = f" GAP {d['gap'][0]}-{d['gap'][1]}" if d["gap"] else ""
            print(f"{d['device_id']:<38} {d['inspector']:<16} {d['role']:<10} {state:<8} "
                  f"batches {d['applied_seq']}{gap}")
        return 0
    if args.device_command == "revoke":
        if not service.revoke(db, args.device_id):
            print(f"no device {args.device_id}", file=sys.stderr)
            return 1
        print(f"device {args.device_id} revoked")
        return 0
    return 2


def _handover(args, db) -> int:
    from sync.server import handover

    if args.command == "handover":
        import getpass

        by = args.by
        if not by:
            try:
                by = f"admin:{getpass.getuser()}"
            except (OSError, KeyError):  # no login name (a container, a service)
                by = "admin"
        done = handover.hand_over(db, args.kind, args.record_id, args.to_device,
                                  reason=args.reason, decided_by=by)
        print(f"{done['kind']} {done['record_id']} version {done['version']}: device "
              f"{done['from_device_id']} -> {done['to_device_id']}")
        return 0
    items = handover.list_handovers(db, args.kind, args.record_id, args.device)
    if args.json:
        print(json.dumps(items, ensure_ascii=False, indent=1))
        return 0
    for h in items:
        print(f"{h['decided_at']} {h['kind']} {h['record_id']} v{h['version']} "
              f"{h['from_device_id']} -> {h['to_device_id']} by {h['decided_by']}"
              f"{': ' + h['reason'] if h['reason'] else ''}")
    return 0


def _serve(args, config) -> int:
    import logging.config

    import uvicorn

    from sync.server import logs
    from sync.server.db import Database

    logging.config.dictConfig(logs.config(config.data_dir))
    Database(config.database_url).dispose()  # migrate once before the workers start
    os.environ[ENV_DATA] = str(config.data_dir)
    os.environ[ENV_URL] = config.database_url
    os.environ[ENV_PROXIES] = ",".join(config.trusted_proxies)
    os.environ[ENV_QUOTA] = str(config.device_quota >> 20)
    ssl = {}
    if args.ssl_certfile:
        ssl = {"ssl_certfile": args.ssl_certfile, "ssl_keyfile": args.ssl_keyfile}
    uvicorn.run("sync.server.cli:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, access_log=False,
                log_config=logs.config(config.data_dir),  # applied by every worker too
                # X-Forwarded-For is the app's to judge (--trusted-proxy), not uvicorn's.
                proxy_headers=False,
                timeout_keep_alive=30, **ssl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
