#!/usr/bin/env python3
"""crmctl: the Customerism suite from the command line, over XML-RPC
(the API of docs/API.md).

Usage::

    crmctl.py customers import FILE.csv|FILE.jsonl [--encoding auto|utf-8|gbk|gb18030]
                                                  [--batch 500] [--errors FILE]
    crmctl.py customers export [--grade vip ...] [--stage lapsed ...] [--rfm 555 ...]
                               [--churn-reason NAME ...] [--since "2026-01-01 00:00:00"]
                               [--output FILE.jsonl]
    crmctl.py complaints create --customer KEY --subject TEXT [--key KEY]
                                [--contact KEY] [--description TEXT] [--severity high]
    crmctl.py complaints status REF            (its reference or its key)
    crmctl.py profile KEY
    crmctl.py kb search TEXT [--limit 10]

Connection and credentials come from the environment (CRMCTL_URL, CRMCTL_DB,
CRMCTL_USER, CRMCTL_PASSWORD, CRMCTL_SOURCE, CRMCTL_LANG) or from a config
file (--config, CRMCTL_CONFIG or ~/.config/crmctl.ini, section [crmctl] with
url, db, user, password, source, lang); the environment wins. They are
never taken from the command line.

CSV files: one customer per row, the columns named as the fields of
res.partner.customerism_upsert (key, name, email, city, country_code, ...);
``contact_key``, ``contact_name``, ``contact_email``, ``contact_phone`` and
``contact_function`` give one contact; ``consent_<channel>`` columns
(allowed / refused) the consents; ``is_company`` takes 1/0, true/false,
yes/no, 是/否. UTF-8 (with or without BOM) and GBK/GB18030, as Chinese
spreadsheets export them, are detected, or chosen with --encoding.
JSONL files: one JSON object per line, as the API takes it.

Exit status: 0 when everything went through, 1 when some items failed (see
the errors file), 2 on a usage, file or connection error.
"""

import argparse
import configparser
import csv
import io
import json
import os
import sys
import xmlrpc.client
from pathlib import Path

try:
    from tqdm import tqdm
except ImportError:  # the simple bar below
    tqdm = None

SETTINGS = ("url", "db", "user", "password", "source", "lang")
DEFAULTS = {"url": "http://localhost:8069", "source": "crmctl"}
CONTACT_COLUMNS = ("key", "name", "email", "phone", "mobile", "function")
TRUE = {"1", "true", "yes", "y", "是", "真"}
FALSE = {"0", "false", "no", "n", "否", "假"}


class CliError(Exception):
    """A usage, file or connection error: message and exit status 2."""


# ----------------------------------------------------------------------
# settings and connection
# ----------------------------------------------------------------------


def load_settings(config_path=None):
    path = Path(
        config_path
        or os.environ.get("CRMCTL_CONFIG")
        or Path.home() / ".config" / "crmctl.ini"
    )
    settings = dict(DEFAULTS)
    if path.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path, encoding="utf-8")
        if parser.has_section("crmctl"):
            settings.update(
                {k: v for k, v in parser.items("crmctl") if k in SETTINGS and v}
            )
    elif config_path:
        raise CliError(f"config file {path} not found")
    for name in SETTINGS:
        value = os.environ.get(f"CRMCTL_{name.upper()}")
        if value:
            settings[name] = value
    missing = [name for name in ("db", "user", "password") if not settings.get(name)]
    if missing:
        raise CliError(
            "missing settings: "
            + ", ".join(missing)
            + f" (set CRMCTL_{missing[0].upper()} or [crmctl] {missing[0]} in {path})"
        )
    return settings


class Connection:
    def __init__(self, settings):
        self.settings = settings
        url = settings["url"].rstrip("/")
        try:
            common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
            self.uid = common.authenticate(
                settings["db"], settings["user"], settings["password"], {}
            )
        except (OSError, xmlrpc.client.Error) as error:
            raise CliError(f"cannot reach {url}: {error}") from error
        if not self.uid:
            raise CliError(f"login failed for {settings['user']} on {settings['db']}")
        self.models = xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )

    def __call__(self, model, method, *args, **kwargs):
        if self.settings.get("lang"):
            kwargs["context"] = {"lang": self.settings["lang"]}
        try:
            return self.models.execute_kw(
                self.settings["db"],
                self.uid,
                self.settings["password"],
                model,
                method,
                list(args),
                kwargs,
            )
        except xmlrpc.client.Fault as fault:
            raise CliError(fault_message(fault)) from fault
        except OSError as error:
            raise CliError(f"connection lost: {error}") from error


def fault_message(fault):
    """The message of an Odoo fault, without the server's traceback."""
    lines = [line for line in fault.faultString.strip().splitlines() if line.strip()]
    return lines[-1] if lines else str(fault.faultCode)


# ----------------------------------------------------------------------
# reading customer files
# ----------------------------------------------------------------------


def read_text(path, encoding):
    data = Path(path).read_bytes()
    if encoding != "auto":
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise CliError(f"{path}: not {encoding}: {error}") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise CliError(
            f"{path}: neither UTF-8 nor GBK/GB18030; give --encoding"
        ) from error


def read_records(path, encoding, source):
    """(line number, item or error message) for each record of the file."""
    text = read_text(path, encoding)
    if str(path).lower().endswith((".jsonl", ".ndjson")):
        return list(jsonl_records(text, source))
    return list(csv_records(text, source))


def jsonl_records(text, source):
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, f"line {number}: invalid JSON: {error.msg}"
            continue
        if not isinstance(item, dict):
            yield number, f"line {number}: expected a JSON object"
            continue
        item.setdefault("source", source)
        yield number, item


def csv_records(text, source):
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = reader.fieldnames
    except csv.Error as error:
        raise CliError(f"malformed CSV header: {error}") from error
    if not header or "key" not in [column.strip() for column in header]:
        raise CliError("the CSV file needs a header row with a 'key' column")
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield reader.line_num, f"line {reader.line_num}: malformed CSV: {error}"
            continue
        number = reader.line_num
        if None in row:
            yield number, f"line {number}: more cells than columns in the header"
            continue
        try:
            yield number, row_item(row, source)
        except ValueError as error:
            yield number, f"line {number}: {error}"


def row_item(row, source):
    item = {"source": source}
    contact = {}
    consents = {}
    for column, value in row.items():
        column = (column or "").strip()
        value = (value or "").strip()
        if not value:
            continue
        if column.startswith("contact_"):
            contact[column[len("contact_") :]] = value
        elif column.startswith("consent_"):
            consents[column[len("consent_") :]] = value
        elif column == "is_company":
            if value.lower() not in TRUE | FALSE:
                raise ValueError(f"is_company: not a yes/no value: {value}")
            item[column] = value.lower() in TRUE
        else:
            item[column] = value
    if contact:
        item["contacts"] = [contact]
    if consents:
        item["consents"] = consents
    return item


# ----------------------------------------------------------------------
# progress
# ----------------------------------------------------------------------


class Progress:
    """tqdm when installed, else a one-line bar on stderr."""

    def __init__(self, total, label):
        self.total, self.done, self.label = total, 0, label
        self.bar = tqdm(total=total, desc=label, unit="rec") if tqdm else None

    def update(self, count):
        self.done += count
        if self.bar:
            self.bar.update(count)
        elif sys.stderr.isatty() or os.environ.get("CRMCTL_PROGRESS"):
            width = 30
            filled = width * self.done // max(self.total, 1)
            sys.stderr.write(
                f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                f"{self.done}/{self.total}"
            )
            sys.stderr.flush()

    def close(self):
        if self.bar:
            self.bar.close()
        elif sys.stderr.isatty() or os.environ.get("CRMCTL_PROGRESS"):
            sys.stderr.write("\n")


# ----------------------------------------------------------------------
# commands
# ----------------------------------------------------------------------


def customers_import(rpc, args):
    records = read_records(args.file, args.encoding, rpc.settings["source"])
    counts = dict.fromkeys(("created", "updated", "unchanged", "failed"), 0)
    errors = [
        (number, "", message) for number, message in records if isinstance(message, str)
    ]
    items = [(number, item) for number, item in records if isinstance(item, dict)]
    counts["failed"] = len(errors)
    progress = Progress(len(items), "import")
    for start in range(0, len(items), args.batch):
        batch = items[start : start + args.batch]
        results = rpc("res.partner", "customerism_upsert", [item for __, item in batch])
        for (number, item), result in zip(batch, results, strict=True):
            if result["status"] == "error":
                counts["failed"] += 1
                errors.append((number, item.get("key") or "", result["message"]))
            else:
                counts[result["status"]] += 1
        progress.update(len(batch))
    progress.close()
    print(
        "created {created}, updated {updated}, unchanged {unchanged}, "
        "failed {failed}".format(**counts)
    )
    if errors:
        errors_path = args.errors or f"{args.file}.errors.csv"
        with open(errors_path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "key", "error"])
            writer.writerows(sorted(errors))
        print(f"errors: {errors_path}")
        return 1
    return 0


def customers_export(rpc, args):
    filters = {
        name: values
        for name, values in (
            ("grade", args.grade),
            ("stage", args.stage),
            ("rfm_code", args.rfm),
            ("churn_reason", args.churn_reason),
        )
        if values
    }
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    count, offset = 0, 0
    try:
        while offset is not False:
            page = rpc(
                "crm.customer.profile",
                "customerism_export",
                filters,
                args.since,
                args.limit,
                offset,
            )
            for record in page["records"]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += len(page["records"])
            offset = page["next_offset"]
    finally:
        if args.output:
            out.close()
    print(f"exported {count} customers", file=sys.stderr)
    return 0


def complaints_create(rpc, args):
    item = {
        "source": rpc.settings["source"],
        "key": args.key or f"crmctl-{os.urandom(6).hex()}",
        "customer_key": args.customer,
        "subject": args.subject,
    }
    for name in ("contact", "description", "severity", "channel"):
        value = getattr(args, name)
        if value:
            item["contact_key" if name == "contact" else name] = value
    [result] = rpc("crm.complaint", "customerism_intake", [item])
    if result["status"] == "error":
        print(result["message"], file=sys.stderr)
        return 1
    print(f"{result['name']} ({result['status']}, key {item['key']})")
    return 0


def complaints_status(rpc, args):
    # the complaint's reference, else its key in our source system
    statuses = rpc(
        "crm.complaint",
        "customerism_status",
        [args.ref, {"source": rpc.settings["source"], "key": args.ref}],
    )
    found = [status for status in statuses if status["found"]]
    if not found:
        print(statuses[0]["message"], file=sys.stderr)
        return 1
    status = found[0]
    print_fields(
        status,
        (
            "reference",
            "subject",
            "customer",
            "stage_label",
            "sla_status_label",
            "received",
            "response_deadline",
            "resolution_deadline",
            "resolved_date",
            "resolution",
        ),
    )
    return 0


def profile(rpc, args):
    [result] = rpc(
        "crm.customer.profile",
        "customerism_read",
        [{"source": rpc.settings["source"], "key": args.key}],
    )
    if not result["found"]:
        print(result["message"], file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print_fields(
        result,
        (
            "name",
            "grade",
            "service_tier",
            "stage",
            "historical_value",
            "current_value",
            "lifetime_value",
            "rfm_code",
            "order_count",
            "last_order_date",
            "churn_reason",
        ),
    )
    print(f"{'consents':<20} {json.dumps(result['consents'], ensure_ascii=False)}")
    for complaint in result["open_complaints"]:
        print(
            f"{'open complaint':<20} {complaint['reference']} {complaint['subject']} "
            f"({complaint['stage']}, due {complaint['resolution_deadline']})"
        )
    return 0


def kb_search(rpc, args):
    articles = rpc(
        "crm.knowledge.article", "customerism_search", args.text, limit=args.limit
    )
    for article in articles:
        print(f"[{article['id']}] {article['name']} ({article['article_type']})")
        if article["summary"]:
            print(f"    {article['summary']}")
    if not articles:
        print("no article found", file=sys.stderr)
    return 0


def print_fields(values, names):
    for name in names:
        print(f"{name:<20} {values.get(name) if values.get(name) is not False else ''}")


def parser():
    main = argparse.ArgumentParser(
        prog="crmctl",
        description="Customerism over XML-RPC (credentials: CRMCTL_* or a config file)",
    )
    main.add_argument("--config", help="config file (default ~/.config/crmctl.ini)")
    groups = main.add_subparsers(dest="group", required=True)

    customers = groups.add_parser("customers").add_subparsers(
        dest="command", required=True
    )
    imp = customers.add_parser("import", help="upsert customers from CSV or JSONL")
    imp.add_argument("file")
    imp.add_argument(
        "--encoding",
        default="auto",
        help="auto (UTF-8, else GB18030), utf-8, gbk, gb18030, ...",
    )
    imp.add_argument(
        "--batch", type=int, default=500, choices=range(1, 1001), metavar="1..1000"
    )
    imp.add_argument("--errors", help="errors file (default FILE.errors.csv)")
    imp.set_defaults(func=customers_import)
    exp = customers.add_parser("export", help="export a segment as JSON lines")
    exp.add_argument("--grade", action="append")
    exp.add_argument("--stage", action="append")
    exp.add_argument("--rfm", action="append")
    exp.add_argument("--churn-reason", action="append")
    exp.add_argument("--since", help="UTC, YYYY-MM-DD HH:MM:SS")
    exp.add_argument("--limit", type=int, default=500, help="page size")
    exp.add_argument("--output", help="file (default: standard output)")
    exp.set_defaults(func=customers_export)

    complaints = groups.add_parser("complaints").add_subparsers(
        dest="command", required=True
    )
    create = complaints.add_parser("create")
    create.add_argument("--customer", required=True, help="the customer's key")
    create.add_argument("--subject", required=True)
    create.add_argument("--key", help="idempotency key (default: a new one)")
    create.add_argument("--contact", help="the contact's key")
    create.add_argument("--description")
    create.add_argument("--severity", choices=["low", "normal", "high", "critical"])
    create.add_argument("--channel")
    create.set_defaults(func=complaints_create)
    status = complaints.add_parser("status")
    status.add_argument("ref", help="the complaint's reference or key")
    status.set_defaults(func=complaints_status)

    prof = groups.add_parser("profile", help="a customer's value, grade and stage")
    prof.add_argument("key")
    prof.add_argument("--json", action="store_true")
    prof.set_defaults(func=profile)

    kb = groups.add_parser("kb").add_subparsers(dest="command", required=True)
    search = kb.add_parser("search")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=10)
    search.set_defaults(func=kb_search)
    return main


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        rpc = Connection(load_settings(args.config))
        return args.func(rpc, args)
    except CliError as error:
        print(f"crmctl: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"crmctl: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
