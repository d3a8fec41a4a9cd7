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

Messages, help and summaries are in the user's language: --lang zh_CN, else
the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, e.g. zh_CN.UTF-8), with the
catalogues of scripts/crmctl_i18n/ (compiled when loaded, with babel);
English otherwise. The server's errors come in CRMCTL_LANG (or the config
file's lang), else in that same language.
"""

import argparse
import configparser
import csv
import gettext
import io
import json
import os
import sys
import unicodedata
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
LOCALE_DIR = Path(__file__).resolve().parent / "crmctl_i18n"


# ----------------------------------------------------------------------
# language
# ----------------------------------------------------------------------

_translations = gettext.NullTranslations()


def _(message):
    """``message`` in the user's language (see set_language)."""
    return _translations.gettext(message)


def N_(message):
    """Marks a text for the catalogue, translated where it is used."""
    return message


# argparse's own texts (Python 3.10-3.12), translated with ours
ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
)


def ui_language(option=None):
    """The language of the messages: ``option`` (--lang), else the locale
    variables as gettext reads them; the first that has a catalogue in
    crmctl_i18n/ (``zh_CN.UTF-8`` and ``zh`` find zh_CN.po), None for
    English."""
    if option:
        candidates = [option]
    else:
        value = next(
            (
                os.environ[name]
                for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
                if os.environ.get(name)
            ),
            "",
        )
        candidates = value.split(":")  # LANGUAGE is a list
    for candidate in candidates:
        code = candidate.split(".")[0].split("@")[0].strip()
        if not code or code in ("C", "POSIX") or code.split("_")[0] == "en":
            return None
        if (LOCALE_DIR / f"{code}.po").is_file():
            return code
        if "_" not in code:
            matches = sorted(LOCALE_DIR.glob(f"{code}_*.po"))
            if matches:
                return matches[0].stem
    return None


def set_language(code):
    """Translate the messages into ``code`` (None: English), compiling its
    .po with babel (Odoo's requirements have it). Without babel the
    messages stay in English, with a note on stderr."""
    global _translations
    if not code:
        _translations = gettext.NullTranslations()
        return
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:
        sys.stderr.write(
            f"crmctl: install babel (pip install babel) for messages in {code}\n"
        )
        return
    with open(LOCALE_DIR / f"{code}.po", "rb") as po:
        catalog = read_po(po, locale=code)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    _translations = gettext.GNUTranslations(mo)


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
        raise CliError(_("config file {path} not found").format(path=path))
    for name in SETTINGS:
        value = os.environ.get(f"CRMCTL_{name.upper()}")
        if value:
            settings[name] = value
    missing = [name for name in ("db", "user", "password") if not settings.get(name)]
    if missing:
        raise CliError(
            _(
                "missing settings: {names} "
                "(set {variable} or [crmctl] {name} in {path})"
            ).format(
                names=", ".join(missing),
                variable=f"CRMCTL_{missing[0].upper()}",
                name=missing[0],
                path=path,
            )
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
            raise CliError(
                _("cannot reach {url}: {error}").format(url=url, error=error)
            ) from error
        if not self.uid:
            raise CliError(
                _("login failed for {user} on {db}").format(
                    user=settings["user"], db=settings["db"]
                )
            )
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
            raise CliError(_("connection lost: {error}").format(error=error)) from error


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
            raise CliError(
                _("{path}: not {encoding}: {error}").format(
                    path=path, encoding=encoding, error=error
                )
            ) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise CliError(
            _("{path}: neither UTF-8 nor GBK/GB18030; give --encoding").format(
                path=path
            )
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
            yield (
                number,
                _("line {number}: invalid JSON: {error}").format(
                    number=number, error=error.msg
                ),
            )
            continue
        if not isinstance(item, dict):
            yield (
                number,
                _("line {number}: expected a JSON object").format(number=number),
            )
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
        raise CliError(
            _("malformed CSV header: {error}").format(error=error)
        ) from error
    if not header or "key" not in [column.strip() for column in header]:
        raise CliError(_("the CSV file needs a header row with a 'key' column"))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield (
                reader.line_num,
                _("line {number}: malformed CSV: {error}").format(
                    number=reader.line_num, error=error
                ),
            )
            continue
        number = reader.line_num
        if None in row:
            yield (
                number,
                _("line {number}: more cells than columns in the header").format(
                    number=number
                ),
            )
            continue
        try:
            yield number, row_item(row, source)
        except ValueError as error:
            yield number, _("line {number}: {error}").format(number=number, error=error)


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
                raise ValueError(
                    _("is_company: not a yes/no value: {value}").format(value=value)
                )
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
    progress = Progress(len(items), _("import"))
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
        _(
            "created {created}, updated {updated}, unchanged {unchanged}, "
            "failed {failed}"
        ).format(**counts)
    )
    if errors:
        errors_path = args.errors or f"{args.file}.errors.csv"
        with open(errors_path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([_("line"), _("key"), _("error")])
            writer.writerows(sorted(errors))
        print(_("errors: {path}").format(path=errors_path))
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
    print(_("exported {count} customers").format(count=count), file=sys.stderr)
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
    status = STATUS_LABELS[result["status"]]
    print(
        _("{name} ({status}, key {key})").format(
            name=result["name"], status=_(status), key=item["key"]
        )
    )
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
    print(
        label(_("consents")),
        json.dumps(result["consents"], ensure_ascii=False),
    )
    for complaint in result["open_complaints"]:
        print(
            label(_("open complaint")),
            _("{reference} {subject} ({stage}, due {deadline})").format(
                reference=complaint["reference"],
                subject=complaint["subject"],
                stage=complaint["stage"],
                deadline=complaint["resolution_deadline"],
            ),
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
        print(_("no article found"), file=sys.stderr)
    return 0


# the per-item statuses of the API
STATUS_LABELS = {
    "created": N_("created"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
}
# the labels of the fields print_fields shows
FIELD_LABELS = {
    "reference": N_("reference"),
    "subject": N_("subject"),
    "customer": N_("customer"),
    "stage_label": N_("stage"),
    "sla_status_label": N_("SLA status"),
    "received": N_("received"),
    "response_deadline": N_("response deadline"),
    "resolution_deadline": N_("resolution deadline"),
    "resolved_date": N_("resolved"),
    "resolution": N_("resolution"),
    "name": N_("name"),
    "grade": N_("grade"),
    "service_tier": N_("service tier"),
    "stage": N_("stage"),
    "historical_value": N_("historical value"),
    "current_value": N_("current value"),
    "lifetime_value": N_("lifetime value"),
    "rfm_code": N_("RFM code"),
    "order_count": N_("orders"),
    "last_order_date": N_("last order"),
    "churn_reason": N_("churn reason"),
}


def label(text, width=20):
    """``text`` padded to ``width`` columns (a CJK character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - columns, 1)


def print_fields(values, names):
    for name in names:
        value = values.get(name)
        print(label(_(FIELD_LABELS[name])), "" if value is False else value)


def parser():
    main = argparse.ArgumentParser(
        prog="crmctl",
        description=_(
            "Customerism over XML-RPC (credentials: CRMCTL_* or a config file)"
        ),
    )
    main.add_argument("--config", help=_("config file (default ~/.config/crmctl.ini)"))
    main.add_argument(
        "--lang",
        help=_("language of the messages, e.g. zh_CN (default: the locale, LANG)"),
    )
    groups = main.add_subparsers(dest="group", required=True)

    customers = groups.add_parser(
        "customers", help=_("import or export customers")
    ).add_subparsers(dest="command", required=True)
    imp = customers.add_parser("import", help=_("upsert customers from CSV or JSONL"))
    imp.add_argument("file", help=_("a CSV or JSONL file"))
    imp.add_argument(
        "--encoding",
        default="auto",
        help=_("auto (UTF-8, else GB18030), utf-8, gbk, gb18030, ..."),
    )
    imp.add_argument(
        "--batch",
        type=int,
        default=500,
        choices=range(1, 1001),
        metavar="1..1000",
        help=_("customers per call"),
    )
    imp.add_argument("--errors", help=_("errors file (default FILE.errors.csv)"))
    imp.set_defaults(func=customers_import)
    exp = customers.add_parser("export", help=_("export a segment as JSON lines"))
    exp.add_argument("--grade", action="append", help=_("grade (repeatable)"))
    exp.add_argument("--stage", action="append", help=_("lifecycle stage (repeatable)"))
    exp.add_argument("--rfm", action="append", help=_("RFM code (repeatable)"))
    exp.add_argument(
        "--churn-reason", action="append", help=_("churn reason (repeatable)")
    )
    exp.add_argument("--since", help=_("UTC, YYYY-MM-DD HH:MM:SS"))
    exp.add_argument("--limit", type=int, default=500, help=_("page size"))
    exp.add_argument("--output", help=_("file (default: standard output)"))
    exp.set_defaults(func=customers_export)

    complaints = groups.add_parser(
        "complaints", help=_("file a complaint or follow one")
    ).add_subparsers(dest="command", required=True)
    create = complaints.add_parser("create", help=_("file a complaint"))
    create.add_argument("--customer", required=True, help=_("the customer's key"))
    create.add_argument("--subject", required=True, help=_("the complaint's subject"))
    create.add_argument("--key", help=_("idempotency key (default: a new one)"))
    create.add_argument("--contact", help=_("the contact's key"))
    create.add_argument("--description", help=_("what happened"))
    create.add_argument(
        "--severity",
        choices=["low", "normal", "high", "critical"],
        help=_("low, normal, high or critical"),
    )
    create.add_argument("--channel", help=_("the channel it came by"))
    create.set_defaults(func=complaints_create)
    status = complaints.add_parser(
        "status", help=_("stage, SLA deadlines and resolution of a complaint")
    )
    status.add_argument("ref", help=_("the complaint's reference or key"))
    status.set_defaults(func=complaints_status)

    prof = groups.add_parser("profile", help=_("a customer's value, grade and stage"))
    prof.add_argument("key", help=_("the customer's key"))
    prof.add_argument("--json", action="store_true", help=_("print it as JSON"))
    prof.set_defaults(func=profile)

    kb = groups.add_parser("kb", help=_("search the knowledge base")).add_subparsers(
        dest="command", required=True
    )
    search = kb.add_parser("search", help=_("published articles matching a text"))
    search.add_argument("text", help=_("words to search for"))
    search.add_argument("--limit", type=int, default=10, help=_("most articles shown"))
    search.set_defaults(func=kb_search)
    return main


def main(argv=None):
    # the language first: the help and argparse's errors are in it too
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    language = ui_language(early.parse_known_args(argv)[0].lang)
    set_language(language)
    argparse._ = _
    args = parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        # the server answers in CRMCTL_LANG, else in the messages' language
        settings["lang"] = settings.get("lang") or language
        rpc = Connection(settings)
        return args.func(rpc, args)
    except (CliError, OSError) as error:
        print(_("crmctl: {error}").format(error=error), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
