"""scripts/demo and scripts/test stop early with one clear sentence on bad
setups, and recover a PostgreSQL cluster left locked by a crashed run."""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from conftest import ROOT, free_port, script_env

import odoo


def venv_python(root, *options):
    """A .venv in ``root`` whose python is this run's, with ``options``."""
    bindir = os.path.join(root, ".venv", "bin")
    os.makedirs(bindir)
    wrapper = os.path.join(bindir, "python")
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/sh\nexec {" ".join([sys.executable, *options])} "$@"\n')
    os.chmod(wrapper, 0o755)


def no_odoo_python(root):
    """A .venv whose python cannot import any installed Odoo (-S: no
    site-packages, -I: no PYTHONPATH), as on a machine without Odoo."""
    venv_python(root, "-I", "-S")


def run(cmd, root=ROOT, **env):
    if root == ROOT:  # the project itself: this run's virtual environment
        env.setdefault("CUSTOMERISM_VENV", sys.prefix)
    return subprocess.run(
        [os.path.join(root, "scripts", cmd[0]), *cmd[1:]],
        capture_output=True,
        text=True,
        env=script_env(**env),
        timeout=300,
        check=False,
    )


def assert_one_line_error(result, text):
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert text in errors[0], result.stderr


@pytest.mark.parametrize("script", ["demo", "test"])
def test_no_odoo(project_copy, script):
    no_odoo_python(project_copy)
    result = run([script], project_copy, CUSTOMERISM_NO_DOWNLOAD="1", ODOO_PATH=None)
    assert_one_line_error(result, "Odoo 18.0 not found")


def test_wrong_odoo_version(project_copy):
    no_odoo_python(project_copy)
    tree = os.path.join(project_copy, "odoo-17")
    os.makedirs(os.path.join(tree, "odoo"))
    with open(os.path.join(tree, "odoo", "release.py"), "w") as f:
        f.write("major_version = '17.0'\n")
    result = run(["demo"], project_copy, ODOO_PATH=tree)
    assert_one_line_error(result, "Odoo 17.0 found")
    assert "needs Odoo 18.0" in result.stderr


def test_odoo_path_not_a_tree(project_copy):
    no_odoo_python(project_copy)
    result = run(["test"], project_copy, ODOO_PATH=project_copy)
    assert_one_line_error(result, "is not an Odoo source tree")


def test_port_busy():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(["demo"], CUSTOMERISM_HTTP_PORT=str(port))
    assert_one_line_error(result, f"port {port} is busy")


@pytest.mark.parametrize("script", ["demo", "test"])
def test_postgresql_binaries_missing(script):
    result = run(
        [script], PG_BIN="/nonexistent", CUSTOMERISM_HTTP_PORT=str(free_port())
    )
    assert_one_line_error(result, "PostgreSQL server binaries")


def env_sh(root, commands, **env):
    """Run ``commands`` after sourcing scripts/_env.sh; with ``env``, in the
    environment of script_env (else this process's)."""
    return subprocess.run(
        ["bash", "-c", f"source scripts/_env.sh; {commands}"],
        cwd=root,
        capture_output=True,
        text=True,
        env=script_env(**env) if env else None,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("way", ["importable", "odoo_path"])
def test_odoo_found_both_ways(project_copy, way):
    """The two ways of the README, whichever this run uses: an odoo that
    python imports (a path in its site-packages or on PYTHONPATH), or
    ODOO_PATH pointing at a source tree, which the scripts put on PYTHONPATH.
    The project copy's .venv runs this run's python, where Odoo's and the
    suite's requirements are installed (marked so for the scripts)."""
    tree = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
    requirements = os.path.join(tree, "requirements.txt")
    if not os.path.isfile(requirements):
        pytest.skip(f"Odoo is installed as a package in {tree}, not a source tree")
    venv_python(project_copy)
    for path in (requirements, os.path.join(project_copy, "requirements.txt")):
        with open(path, "rb") as f:
            digest = hashlib.md5(f.read()).hexdigest()[:12]
        open(os.path.join(project_copy, ".venv", f".installed-{digest}"), "w").close()
    if way == "importable":
        env = {"ODOO_PATH": None, "PYTHONPATH": tree}
    else:
        env = {"ODOO_PATH": tree, "PYTHONPATH": None}
    result = env_sh(
        project_copy,
        'setup_odoo && echo "tree=$ODOO_TREE" && echo "addons=$ADDONS_PATH"'
        ' && "$PY" -c "import odoo; print(\'odoo=\' + odoo.__file__)"',
        **env,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(
        line.split("=", 1) for line in result.stdout.splitlines() if "=" in line
    )
    assert "installing" not in result.stdout, result.stdout
    assert lines["tree"] == ("" if way == "importable" else tree)
    assert lines["addons"] == ",".join(
        [f"{tree}/odoo/addons", f"{tree}/addons", f"{project_copy}/addons"]
    )
    assert lines["odoo"] == f"{tree}/odoo/__init__.py"


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_crashed_cluster_is_recovered(project_copy):
    sql = 'psql_cmd -d postgres -tAc "{}"'
    started = env_sh(
        project_copy,
        "pg_start && "
        + sql.format("CREATE TABLE keep (note text); INSERT INTO keep VALUES ('客户')"),
    )
    assert started.returncode == 0, started.stderr
    pidfile = os.path.join(project_copy, "var", "pgdata", "postmaster.pid")
    with open(pidfile) as f:
        pid = int(f.readline())
    # crash: kill the postmaster and its backends, leaving the lock behind
    subprocess.run(["pkill", "-KILL", "-P", str(pid)], check=False)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert os.path.exists(pidfile)

    recovered = env_sh(
        project_copy,
        "pg_start && " + sql.format("SELECT note FROM keep") + " && pg_stop",
    )
    assert recovered.returncode == 0, recovered.stderr
    assert "left locked by a crashed run" in recovered.stdout
    assert "客户" in recovered.stdout
    assert "PostgreSQL stopped" in recovered.stdout
