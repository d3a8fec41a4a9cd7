"""scripts/bench_knowledge.py on a tiny size: it runs against the test
database, finds the same hit sets as the ILIKE scan for every query, reports
every figure, and leaves the database as it was (one transaction, rolled
back).

Environment (set by ``scripts/test``): CUSTOMERISM_TEST_DB,
CUSTOMERISM_TEST_CONF and CUSTOMERISM_PYTHON.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_gen_demo_data import Cluster

ROOT = Path(__file__).resolve().parent.parent
TEST_DB = os.environ.get("CUSTOMERISM_TEST_DB")
TEST_CONF = os.environ.get("CUSTOMERISM_TEST_CONF")
PYTHON = os.environ.get("CUSTOMERISM_PYTHON", sys.executable)

pytestmark = pytest.mark.skipif(
    not (TEST_DB and TEST_CONF),
    reason="needs CUSTOMERISM_TEST_DB and CUSTOMERISM_TEST_CONF (run scripts/test)",
)


def _article_count(cluster):
    connection = cluster.connect(TEST_DB)
    try:
        with connection.cursor() as cr:
            cr.execute("SELECT count(*) FROM crm_knowledge_article")
            return cr.fetchone()[0]
    finally:
        connection.close()


def run_bench(*args):
    return subprocess.run(
        [PYTHON, str(ROOT / "scripts" / "bench_knowledge.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )


def test_bench_knowledge_tiny():
    cluster = Cluster(TEST_CONF)
    before = _article_count(cluster)
    result = run_bench(
        "-c", TEST_CONF, "-d", TEST_DB, "--articles", "300", "--runs", "1", "--json"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert figures["articles_total"] == before + 300
    assert figures["goals_met"]["identical"]
    kinds = {query["kind"] for query in figures["queries"]}
    assert kinds == {"2 characters", "4 characters", "mixed", "1 character"}
    for query in figures["queries"]:
        assert query["identical"], query
        assert query["search_ms"] > 0 and query["ilike_ms"] > 0
        assert query["ranked_ms"] > 0
    # the generated articles are about the demo domain: common words are found
    hits = {query["query"]: query["hits"] for query in figures["queries"]}
    assert hits["退货"] > 0 and hits["ERP 集成"] > 0 and hits["退"] >= hits["退货"]
    assert figures["index_mb"] > 0 and figures["index_build_s"] >= 0
    assert figures["suggested"] == [5] * len(figures["suggested"])
    assert figures["suggest_ms"] > 0
    # rolled back
    assert _article_count(cluster) == before


def test_bench_knowledge_bad_arguments():
    result = run_bench("-c", TEST_CONF, "-d", TEST_DB, "--articles", "0")
    assert result.returncode == 2
    assert "--articles and --runs must be at least 1" in result.stderr
