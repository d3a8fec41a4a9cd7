#!/usr/bin/env python3
"""Benchmark the customer batch upsert over XML-RPC against a running server.

Usage::

    CRMCTL_URL=http://127.0.0.1:8069 CRMCTL_DB=... CRMCTL_USER=admin \\
    CRMCTL_PASSWORD=... python scripts/bench_xmlrpc.py [-n 10000] [--batch 1000]
        [--per-call 10000] [--clients 4] [--json]

Credentials as scripts/crmctl.py (CRMCTL_* or its config file). In one run:

- ``batch``: ``-n`` new customers through ``res.partner.customerism_upsert``
  in calls of ``--batch`` items (records/s);
- ``per_call``: ``--per-call`` customers (default ``-n``) through one
  ``res.partner.create`` call each, the way a naive integration does it
  (records/s); the ratio batch / per call (goal: >= 20);
- ``concurrent``: ``-n`` more customers upserted by ``--clients`` clients at
  once, each its share in batches (total records/s): start the server with
  ``--workers`` >= the number of clients for this one.

Every run uses a source system of its own, so it only creates customers
(run it on a throwaway or benchmark database: they stay).
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crmctl import CliError, Connection, load_settings


def customers(source, prefix, count):
    return [
        {
            "source": source,
            "key": f"{prefix}{n:06d}",
            "name": f"基准客户 {prefix}{n:06d}",
            "email": f"bench{n}@example.com",
            "city": "上海",
            "country_code": "CN",
        }
        for n in range(count)
    ]


def upsert(rpc, items, batch):
    for start in range(0, len(items), batch):
        results = rpc("res.partner", "customerism_upsert", items[start : start + batch])
        failed = [r for r in results if r["status"] != "created"]
        if failed:
            raise SystemExit(f"upsert failed: {failed[:3]}")


def bench_batch(settings, source, count, batch):
    rpc = Connection(settings)
    items = customers(source, "B", count)
    start = time.perf_counter()
    upsert(rpc, items, batch)
    return time.perf_counter() - start


def bench_per_call(settings, count):
    rpc = Connection(settings)
    country = rpc("res.country", "search", [("code", "=", "CN")], limit=1)[0]
    tag = uuid.uuid4().hex[:6]
    start = time.perf_counter()
    for n in range(count):
        rpc(
            "res.partner",
            "create",
            {
                "name": f"逐条客户 {tag}{n:06d}",
                "is_company": True,
                "email": f"single{n}@example.com",
                "city": "上海",
                "country_id": country,
            },
        )
    return time.perf_counter() - start


def bench_concurrent(settings, source, count, batch, clients):
    share = count // clients
    errors = []

    def run(number):
        try:
            upsert(
                Connection(settings),
                customers(source, f"C{number}-", share),
                batch,
            )
        except (CliError, SystemExit) as error:
            errors.append(str(error))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"concurrent upsert failed: {errors[:3]}")
    return time.perf_counter() - start, share * clients


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10000, help="customers per mode")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--per-call", type=int, help="customers created one per call")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--config", help="crmctl config file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        settings = load_settings(args.config)
    except CliError as error:
        raise SystemExit(f"bench_xmlrpc: {error}") from error
    source = f"bench-{uuid.uuid4().hex[:8]}"
    per_call = args.per_call or args.n
    load_start = os.getloadavg()[0]

    batch_s = bench_batch(settings, source, args.n, args.batch)
    per_call_s = bench_per_call(settings, per_call)
    concurrent_s, concurrent_n = bench_concurrent(
        settings, source, args.n, args.batch, args.clients
    )
    figures = {
        "batch": {"records": args.n, "seconds": batch_s, "per_s": args.n / batch_s},
        "per_call": {
            "records": per_call,
            "seconds": per_call_s,
            "per_s": per_call / per_call_s,
        },
        "concurrent": {
            "clients": args.clients,
            "records": concurrent_n,
            "seconds": concurrent_s,
            "per_s": concurrent_n / concurrent_s,
        },
    }
    figures["ratio_batch_per_call"] = (
        figures["batch"]["per_s"] / figures["per_call"]["per_s"]
    )
    # the machine's 1-minute load average at the start and the end (the
    # figures depend on it: say it with them)
    figures["load"] = [round(load_start, 2), round(os.getloadavg()[0], 2)]
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"batch upsert ({args.batch}/call): {args.n} in {batch_s:.1f} s, "
        f"{figures['batch']['per_s']:.0f} records/s"
    )
    print(
        f"one create per call: {per_call} in {per_call_s:.1f} s, "
        f"{figures['per_call']['per_s']:.0f} records/s"
    )
    print(
        f"ratio batch / per call: {figures['ratio_batch_per_call']:.1f}x (goal >= 20)"
    )
    print(
        f"{args.clients} concurrent clients: {concurrent_n} in {concurrent_s:.1f} s, "
        f"{figures['concurrent']['per_s']:.0f} records/s"
    )
    print("load average (1 min) at start, end: {}, {}".format(*figures["load"]))


if __name__ == "__main__":
    main()
