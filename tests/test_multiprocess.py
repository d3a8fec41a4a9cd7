"""The suite under Odoo's multi-process server, as in production: odoo-bin
with 2 HTTP workers and a cron worker on a free loopback port, against the
test database. Eight clients upsert overlapping customers at once (the same
new key at the same moment first) while a full recompute runs: one partner
per reference, no lost update, every call answered; then the server stops
cleanly."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
import xmlrpc.client

import pytest
from api_client import Client
from conftest import ROOT, free_port
from test_xmlrpc_api import PASSWORD, make_user

import odoo

CLIENTS = 8
CUSTOMERS = 12
ROUNDS = 3
BATCH = 4


@pytest.fixture(scope="module")
def prefork_server(test_db, tmp_path_factory):
    conf = os.environ.get("CUSTOMERISM_TEST_CONF") or odoo.tools.config.rcfile
    port = free_port()
    log = tmp_path_factory.mktemp("prefork") / "odoo.log"
    command = [
        sys.executable,
        "-c",
        "import odoo.cli; odoo.cli.main()",
        "server",
        "-c",
        conf,
        "-d",
        test_db,
        f"--db-filter=^{test_db}$",
        "--workers=2",
        "--max-cron-threads=1",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        "--limit-time-real=900",
        "--limit-time-cpu=900",
        "--limit-memory-soft=2147483648",
        "--limit-memory-hard=4294967296",
        "--log-level=info",
        f"--logfile={log}",
    ]
    server = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").version()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the prefork server did not start, see {log}")
            time.sleep(1)
    yield url, server, log
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_concurrent_upserts_under_workers(prefork_server, test_db):
    url, server, log = prefork_server
    admin = Client(url, test_db, "admin", "admin")
    integrator = make_user(
        admin,
        url,
        test_db,
        ["crm_customerism.group_crm_customerism_user", "base.group_partner_manager"],
    )
    [login] = admin("res.users", "read", [integrator.uid], fields=["login"])
    source = f"mp-{uuid.uuid4().hex[:8]}"
    keys = [f"K{n:02d}" for n in range(CUSTOMERS)]
    barrier = threading.Barrier(CLIENTS + 1)
    failures, answers = [], []
    done = threading.Event()

    def client(number):
        rpc = Client(url, test_db, login["login"], PASSWORD)
        try:
            barrier.wait(timeout=300)
            # the same new reference at the same moment
            [same] = rpc(
                "res.partner",
                "customerism_upsert",
                [{"source": source, "key": "SAME", "name": f"同一客户 {source}"}],
            )
            answers.append(("same", number, same))
            for round_ in range(ROUNDS):
                for start in range(0, CUSTOMERS, BATCH):
                    items = [
                        {
                            "source": source,
                            "key": key,
                            "name": f"并发客户 {source} {key}",
                            "comment": f"client {number} round {round_}",
                            # each client's own contact on every customer: a
                            # lost update would lose one
                            "contacts": [
                                {"key": f"client{number}", "name": f"联系人 {number}"}
                            ],
                        }
                        for key in keys[start : start + BATCH]
                    ]
                    for result in rpc("res.partner", "customerism_upsert", items):
                        answers.append(("batch", number, result))
        except Exception as error:  # noqa: BLE001 - reported by the test
            failures.append((number, repr(error)))

    recomputes = []

    def recompute():
        rpc = Client(url, test_db, "admin", "admin")
        barrier.wait(timeout=300)
        while not done.is_set():
            try:
                rpc("crm.customer.profile", "action_recompute_all")
                recomputes.append(True)
            except Exception as error:  # noqa: BLE001 - reported by the test
                failures.append(("recompute", repr(error)))
                return

    threads = [
        threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)
    ]
    recomputer = threading.Thread(target=recompute, daemon=True)
    for thread in [*threads, recomputer]:
        thread.start()
    for thread in threads:
        thread.join(900)
    done.set()
    recomputer.join(900)

    assert not failures, failures
    assert recomputes, "no full recompute ran"
    same = [result for kind, __, result in answers if kind == "same"]
    assert len(same) == CLIENTS
    assert [r["status"] for r in same].count("created") == 1
    assert len({r["id"] for r in same}) == 1
    batch = [result for kind, __, result in answers if kind == "batch"]
    assert len(batch) == CLIENTS * ROUNDS * CUSTOMERS
    assert all(r["status"] in ("created", "updated", "unchanged") for r in batch)
    # one reference and one partner per key
    refs = admin(
        "crm.external.reference",
        "search_read",
        [("source", "=", source), ("res_model", "=", "res.partner")],
        fields=["key", "res_id"],
    )
    customer_refs = [r for r in refs if "/" not in r["key"]]
    assert sorted(r["key"] for r in customer_refs) == sorted([*keys, "SAME"])
    assert (
        admin("res.partner", "search_count", [("name", "=", f"同一客户 {source}")]) == 1
    )
    for ref in customer_refs:
        if ref["key"] == "SAME":
            continue
        [partner] = admin(
            "res.partner", "read", [ref["res_id"]], fields=["comment", "child_ids"]
        )
        # no lost update: every client's contact is there, and the comment is
        # the last round of one of the clients
        assert len(partner["child_ids"]) == CLIENTS, partner
        assert f"round {ROUNDS - 1}" in partner["comment"]
    assert (
        admin(
            "res.partner", "search_count", [("name", "=like", f"并发客户 {source} %")]
        )
        == CUSTOMERS
    )
    # a last full recompute once the clients are done loses none of their
    # writes either
    admin("crm.customer.profile", "action_recompute_all")
    partner_ids = [r["res_id"] for r in customer_refs if r["key"] != "SAME"]
    assert (
        admin("res.partner", "search_count", [("parent_id", "in", partner_ids)])
        == CLIENTS * CUSTOMERS
    )

    # stop cleanly: SIGINT lets the workers finish, the server exits 0
    server.send_signal(signal.SIGINT)
    assert server.wait(180) == 0
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text[-3000:]
