"""scripts/demo end to end, as a newcomer runs it: a fresh project root gets
its own virtual environment and PostgreSQL cluster, the database
`customerism` with the suite and the demo data, and a server one can log in
to with the four apps in the menu, without an error printed on the way;
a second run reuses all of it; `scripts/demo stop` stops PostgreSQL. Odoo is
found the way this run found it (see conftest.script_env)."""

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request
from http.cookiejar import CookieJar

import pytest
from conftest import ADDONS, free_port, script_env

READY = re.compile(r"is running on (http://127\.0\.0\.1:\d+)")


def start_demo(root, port):
    return subprocess.Popen(
        [os.path.join(root, "scripts", "demo")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=script_env(CUSTOMERISM_HTTP_PORT=str(port)),
        start_new_session=True,
    )


def wait_ready(proc, timeout):
    """Lines printed until the URL appears, and the URL."""
    lines, deadline = [], time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line)
        if "'scripts/demo stop' stops PostgreSQL" in line:  # end of the banner
            # keep reading so that Odoo never blocks on a full pipe
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            output = "".join(lines)
            return output, READY.search(output).group(1)
        if time.monotonic() > deadline:
            break
    pytest.fail("scripts/demo did not serve:\n" + "".join(lines[-40:]))


def stop(proc):
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
    proc.wait(timeout=60)


def json_post(opener, url, params):
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
    request = urllib.request.Request(
        url, body.encode(), {"Content-Type": "application/json"}
    )
    return json.load(opener.open(request, timeout=60))


def login_and_list_apps(url):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar())
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            opener.open(f"{url}/web/login", timeout=30)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    session = json_post(
        opener,
        f"{url}/web/session/authenticate",
        {"db": "customerism", "login": "admin", "password": "admin"},
    )
    assert session.get("result", {}).get("uid"), session
    menus = json.load(opener.open(f"{url}/web/webclient/load_menus/x", timeout=60))
    return {menu.get("xmlid") for menu in menus.values()}, opener


def call(opener, url, model, method, *args, **kwargs):
    reply = json_post(
        opener,
        f"{url}/web/dataset/call_kw",
        {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
    )
    assert "result" in reply, reply
    return reply["result"]


def test_demo_runs_and_reruns(project_copy):
    port = free_port()
    proc = start_demo(project_copy, port)
    try:
        output, url = wait_ready(proc, timeout=20 * 60)
        assert "installing the Customerism addons" in output
        assert "generating the Customerism demo data" in output
        assert "Login: admin" in output
        # neither pip (ERROR: ...) nor Odoo's log (date pid ERROR db ...)
        errors = [
            line
            for line in output.splitlines()
            if line.startswith("ERROR:") or " ERROR " in line
        ]
        assert not errors, output
        # the demo users of each role, with their languages
        for role, login, lang in (
            ("salesperson", "sales.wang", "zh_CN"),
            ("complaint handler", "service.zhou", "zh_CN"),
            ("manager", "manager.sun", "en_US"),
            ("portal customer", "portal.customer", "zh_CN"),
        ):
            assert re.search(rf"{role}\s+{re.escape(login)}\s+{lang}", output), output
        apps, opener = login_and_list_apps(url)
        for addon in ADDONS:
            assert f"{addon}.{addon}_menu_root" in apps
        # a Chinese company in CNY with the Chinese localisation and language
        [company] = call(
            opener,
            url,
            "res.company",
            "search_read",
            [("id", "=", 1)],
            fields=["currency_id", "country_id", "chart_template"],
        )
        assert company["currency_id"][1] == "CNY"
        assert company["chart_template"] == "cn"
        assert call(
            opener,
            url,
            "ir.module.module",
            "search_count",
            [("name", "=", "l10n_cn"), ("state", "=", "installed")],
        )
        assert call(opener, url, "res.lang", "search_count", [("code", "=", "zh_CN")])
    finally:
        stop(proc)

    proc = start_demo(project_copy, port)
    try:
        output, url = wait_ready(proc, timeout=5 * 60)
        assert "installing" not in output and "generating" not in output, output
        assert login_and_list_apps(url)[0]
    finally:
        stop(proc)

    stopped = subprocess.run(
        [os.path.join(project_copy, "scripts", "demo"), "stop"],
        capture_output=True,
        text=True,
        env=script_env(),
        timeout=120,
        check=False,
    )
    assert stopped.returncode == 0, stopped.stderr
    assert "PostgreSQL stopped" in stopped.stdout
