"""scripts/crmctl.py end to end: the CLI run as a separate process against
the Odoo server scripts/test starts, as an integration user whose
credentials come from the environment or a config file."""

import csv
import json
import os
import re
import subprocess
import sys
import uuid

import polib
import pytest
from api_client import Client, activate_language
from babel.messages.extract import extract_from_file
from conftest import ROOT
from test_xmlrpc_api import PASSWORD, make_user

import odoo

CRMCTL = ROOT / "scripts" / "crmctl.py"
CATALOGUE = ROOT / "scripts" / "crmctl_i18n" / "zh_CN.po"


@pytest.fixture(scope="module")
def settings(test_db):
    url = f"http://127.0.0.1:{odoo.tools.config['http_port']}"
    admin = Client(url, test_db, "admin", "admin")
    activate_language(admin)  # CRMCTL_LANG=zh_CN asks for Chinese errors
    user = make_user(
        admin,
        url,
        test_db,
        [
            "crm_customerism.group_crm_customerism_user",
            "base.group_partner_manager",
            "crm_knowledge.group_crm_knowledge_user",
        ],
    )
    [login] = admin("res.users", "read", [user.uid], fields=["login"])
    return {
        "url": url,
        "db": test_db,
        "user": login["login"],
        "password": PASSWORD,
        "source": f"cli-{uuid.uuid4().hex[:8]}",
        "admin": admin,
    }


def run(settings, *args, env=None, config=None):
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CRMCTL_", "HOME", "LANG", "LC_"))
    }
    # English messages unless a test asks for another language
    environ.update(HOME=str(ROOT / "var"), LANG="C.UTF-8")
    if config is None:
        environ.update(
            {
                f"CRMCTL_{name.upper()}": settings[name]
                for name in ("url", "db", "user", "password", "source")
            }
        )
    else:
        environ["CRMCTL_CONFIG"] = str(config)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, str(CRMCTL), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def write_csv(path, rows, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as out:
        csv.writer(out).writerows(rows)
    return path


HEADER = [
    "key",
    "name",
    "city",
    "is_company",
    "contact_key",
    "contact_name",
    "consent_email",
]


def test_import_utf8_then_idempotent(settings, tmp_path):
    path = write_csv(
        tmp_path / "customers.csv",
        [
            HEADER,
            ["U1", "北京远大科技", "北京", "是", "P1", "张工", "allowed"],
            ["U2", "深圳小商户", "深圳", "1", "", "", ""],
        ],
    )
    first = run(settings, "customers", "import", str(path))
    assert first.returncode == 0, first.stderr
    assert "created 2, updated 0, unchanged 0, failed 0" in first.stdout
    again = run(settings, "customers", "import", str(path))
    assert "created 0, updated 0, unchanged 2, failed 0" in again.stdout
    admin = settings["admin"]
    [partner] = admin(
        "res.partner",
        "search_read",
        [("name", "=", "北京远大科技")],
        fields=["city", "child_ids", "customerism_consent_ids"],
    )
    assert partner["city"] == "北京" and len(partner["child_ids"]) == 1
    assert len(partner["customerism_consent_ids"]) == 1


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_import_gbk_detected_or_chosen(settings, tmp_path, encoding):
    key = f"G-{encoding}"
    path = write_csv(
        tmp_path / "gbk.csv",
        [["key", "name", "city"], [key, f"广州贸易 {encoding}", "广州"]],
        encoding=encoding,
    )
    detected = run(settings, "customers", "import", str(path))
    assert "created 1" in detected.stdout, detected.stderr
    chosen = run(settings, "customers", "import", str(path), "--encoding", encoding)
    assert "unchanged 1" in chosen.stdout, chosen.stderr
    assert (
        settings["admin"](
            "res.partner", "search_count", [("name", "=", f"广州贸易 {encoding}")]
        )
        == 1
    )
    wrong = run(settings, "customers", "import", str(path), "--encoding", "utf-8")
    assert wrong.returncode == 2 and "not utf-8" in wrong.stderr


def test_import_malformed_rows_errors_file(settings, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["key", "name", "is_company", "colour"],
            ["M1", "好客户", "1", ""],
            ["M2", "多列", "1", "", "extra"],
            ["M3", "坏布尔", "maybe", ""],
            ["M4", "未知列", "1", "red"],
            ["", "没有键", "1", ""],
        ],
    )
    result = run(settings, "customers", "import", str(path))
    assert result.returncode == 1
    assert "created 1, updated 0, unchanged 0, failed 4" in result.stdout
    with open(f"{path}.errors.csv", encoding="utf-8-sig") as errors:
        rows = list(csv.DictReader(errors))
    assert [row["line"] for row in rows] == ["3", "4", "5", "6"]
    assert "more cells" in rows[0]["error"]
    assert "is_company" in rows[1]["error"]
    assert "colour" in rows[2]["error"] and rows[2]["key"] == "M4"
    assert "key" in rows[3]["error"]
    no_header = write_csv(tmp_path / "nokey.csv", [["name"], ["无键"]])
    result = run(settings, "customers", "import", str(no_header))
    assert result.returncode == 2 and "'key' column" in result.stderr


def test_import_jsonl_and_errors_in_chinese(settings, tmp_path):
    path = tmp_path / "customers.jsonl"
    path.write_text(
        json.dumps(
            {"key": "J1", "name": "成都客户", "consents": {"wechat": "allowed"}},
            ensure_ascii=False,
        )
        + "\n{not json\n"
        + json.dumps({"key": "J2", "name": "重庆客户", "country_code": "XX"})
        + "\n",
        encoding="utf-8",
    )
    errors = tmp_path / "errors.csv"
    result = run(
        settings,
        "customers",
        "import",
        str(path),
        "--errors",
        str(errors),
        env={"CRMCTL_LANG": "zh_CN", "CRMCTL_PROGRESS": "1"},
    )
    assert "created 1, updated 0, unchanged 0, failed 2" in result.stdout
    assert "import [" in result.stderr  # the progress bar
    text = errors.read_text(encoding="utf-8-sig")
    assert "invalid JSON" in text and "country_code" in text


def test_export_profile_complaints_kb(settings, tmp_path):
    write = write_csv(tmp_path / "c.csv", [["key", "name"], ["E1", "导出客户"]])
    run(settings, "customers", "import", str(write))
    output = tmp_path / "export.jsonl"
    result = run(
        settings,
        "customers",
        "export",
        "--since",
        "2000-01-01 00:00:00",
        "--limit",
        "2",
        "--output",
        str(output),
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(records) == int(result.stderr.split()[1])
    bad = run(settings, "customers", "export", "--grade", "gold")
    assert bad.returncode == 2 and "gold" in bad.stderr

    created = run(
        settings,
        "complaints",
        "create",
        "--customer",
        "E1",
        "--subject",
        "发票错误",
        "--key",
        "CLI-T1",
        "--severity",
        "high",
    )
    assert created.returncode == 0, created.stderr
    reference = created.stdout.split()[0]
    assert "(created, key CLI-T1)" in created.stdout
    for ref in (reference, "CLI-T1"):
        status = run(settings, "complaints", "status", ref)
        assert status.returncode == 0 and reference in status.stdout
        assert "resolution deadline" in status.stdout
    missing = run(settings, "complaints", "status", "CMP/none")
    assert missing.returncode == 1

    shown = run(settings, "profile", "E1")
    assert shown.returncode == 0 and "导出客户" in shown.stdout
    assert reference in shown.stdout  # its open complaint
    as_json = json.loads(run(settings, "profile", "E1", "--json").stdout)
    assert as_json["name"] == "导出客户"
    assert run(settings, "profile", "nobody").returncode == 1

    kb = run(settings, "kb", "search", "退货")
    assert kb.returncode == 0, kb.stderr


def test_credentials_from_config_file_only(settings, tmp_path):
    config = tmp_path / "crmctl.ini"
    config.write_text(
        "[crmctl]\n"
        + "".join(
            f"{name} = {settings[name]}\n"
            for name in ("url", "db", "user", "password", "source")
        ),
        encoding="utf-8",
    )
    result = run(settings, "profile", "E1", config=config)
    assert result.returncode in (0, 1), result.stderr
    missing = run(settings, "profile", "E1", config=tmp_path / "none.ini")
    assert missing.returncode == 2 and "missing settings" in missing.stderr
    wrong = run(settings, "profile", "E1", env={"CRMCTL_PASSWORD": "wrong"})
    assert wrong.returncode == 2 and "login failed" in wrong.stderr
    rejected = run(settings, "--password", "x", "profile", "E1")
    assert rejected.returncode == 2 and "error" in rejected.stderr


def test_import_summary_in_chinese_from_the_locale(settings, tmp_path):
    """LANG=zh_CN.UTF-8 (or --lang) gives the summary, the progress label and
    the local errors in Chinese; the server's errors follow in Chinese."""
    path = write_csv(
        tmp_path / "zh.csv",
        [["key", "name", "is_company", "country_code"]]
        + [["Z1", "杭州客户", "是", ""], ["Z2", "坏布尔", "也许", ""]]
        + [["Z3", "某国客户", "1", "XX"]],
    )
    result = run(
        settings,
        "customers",
        "import",
        str(path),
        env={"LANG": "zh_CN.UTF-8", "CRMCTL_PROGRESS": "1"},
    )
    assert result.returncode == 1, result.stderr
    assert "新建 1，更新 0，未变 0，失败 2" in result.stdout
    assert "导入 [" in result.stderr  # the progress bar's label
    with open(f"{path}.errors.csv", encoding="utf-8-sig") as errors:
        rows = list(csv.reader(errors))
    assert rows[0] == ["行号", "键", "错误"]
    assert "不是“是/否”值" in rows[1][2]
    # the server's error, in the same language (no CRMCTL_LANG given)
    assert "country_code" in rows[2][2] and "未知国家" in rows[2][2]
    again = run(settings, "--lang", "zh_CN", "customers", "import", str(path))
    assert "新建 0，更新 0，未变 1，失败 2" in again.stdout
    english = run(
        settings, "customers", "import", str(path), env={"LANG": "en_US.UTF-8"}
    )
    assert "created 0, updated 0, unchanged 1, failed 2" in english.stdout


def test_help_and_usage_errors_in_chinese(settings):
    shown = run(settings, "--lang", "zh_CN", "customers", "import", "--help")
    assert shown.returncode == 0
    assert "用法：" in shown.stdout
    assert "CSV 或 JSONL 文件" in shown.stdout and "每次调用的客户数" in shown.stdout
    missing = run(settings, "profile", env={"LANGUAGE": "zh_CN:en", "LANG": "C"})
    assert missing.returncode == 2 and "缺少以下必需参数" in missing.stderr
    login = run(settings, "--lang", "zh", "profile", "X", env={"CRMCTL_PASSWORD": "x"})
    assert login.returncode == 2 and "登录数据库" in login.stderr


def test_chinese_catalogue_complete():
    """Every message of crmctl.py (``_`` and ``N_``) has its Chinese
    translation in crmctl_i18n/zh_CN.po, with the same placeholders. New
    messages: add them to the .po (``pybabel extract -k N_ scripts/crmctl.py``
    lists them)."""
    messages = {
        message
        for __, message, __, __ in extract_from_file(
            "python", str(CRMCTL), keywords={"_": None, "N_": None}
        )
    }
    catalogue = {entry.msgid: entry.msgstr for entry in polib.pofile(str(CATALOGUE))}
    assert sorted(messages - set(catalogue)) == []
    assert sorted(set(catalogue) - messages) == [], "obsolete entries"
    placeholders = re.compile(r"{\w*}|%\(\w+\)\w|%s")
    for msgid, msgstr in catalogue.items():
        assert msgstr, f"untranslated: {msgid!r}"
        assert sorted(placeholders.findall(msgid)) == sorted(
            placeholders.findall(msgstr)
        ), msgid
