"""`planwatch up`: Prefect's server, the web app and the flow scheduler in one command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import click

from cli.context import settings

# Prefect's dashboard as a closed network needs it: the v2 dashboard (3.9's default page) asks
# an analytics host on the internet for its configuration and shows "Upgrade to Cloud"; the v1
# pages ask nothing beyond the server. tests/browser/test_prefect_dashboard.py checks it.
PREFECT_OFFLINE = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_UI_V2_ENABLED": "false",
    "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
}


def prefect_env(port: int) -> dict[str, str]:
    """Prefect kept inside PLANWATCH_HOME, offline, and pointed at the local server."""
    home = settings().home
    env = dict(os.environ)
    env.setdefault("PREFECT_HOME", str(home / "prefect"))
    env.update({
        **PREFECT_OFFLINE,
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PLANWATCH_HOME": str(home),
    })
    return env


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Poll `url` until it answers 200, failing early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"{proc.args[0]} exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise click.ClickException(f"{url} not healthy after {timeout:.0f} s")


def run_now(env: dict[str, str], deployments: list[str], stopping, timeout: float = 90) -> None:
    """Ask the serve process for one run of each deployment now, once it has registered them."""
    prefect = os.path.join(os.path.dirname(sys.executable), "prefect")
    deadline = time.monotonic() + timeout
    for name in deployments:
        while time.monotonic() < deadline and not stopping():
            done = subprocess.run([prefect, "deployment", "run", name], env=env,
                                  capture_output=True, text=True)
            if done.returncode == 0:
                click.echo(f"started a run of {name}")
                break
            time.sleep(2)


def stop(procs: list[subprocess.Popen], grace: float = 15) -> None:
    """SIGTERM in reverse start order, then SIGKILL whatever is left after `grace` seconds."""
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in reversed(procs):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@click.command()
@click.option("--port", type=int, default=5000, envvar="PLANWATCH_PORT", show_default=True,
              help="The web app's port (PLANWATCH_PORT).")
@click.option("--prefect-port", type=int, default=4200, envvar="PLANWATCH_PREFECT_PORT",
              show_default=True, help="Prefect's port (PLANWATCH_PREFECT_PORT).")
def up(port: int, prefect_port: int) -> None:
    """Start Prefect's server, the web app and the flows; Ctrl-C stops them all."""
    env = prefect_env(prefect_port)
    env.setdefault("PLANWATCH_BASE_URL", f"http://127.0.0.1:{port}")  # for the children
    bin_dir = os.path.dirname(sys.executable)
    procs: list[subprocess.Popen] = []
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        procs.append(subprocess.Popen(
            [os.path.join(bin_dir, "prefect"), "server", "start", "--host", "127.0.0.1",
             "--port", str(prefect_port)], env=env))
        wait_healthy(f"http://127.0.0.1:{prefect_port}/api/health", procs[0])
        from cli import main as planwatch_main

        if "web" in planwatch_main.commands:
            procs.append(subprocess.Popen(
                [os.path.join(bin_dir, "planwatch"), "web", "--port", str(port)], env=env))
            app_url = f"http://127.0.0.1:{port}/"
        else:
            app_url = "(no web app on this branch: `planwatch web` is missing)"
        procs.append(subprocess.Popen([sys.executable, "-m", "flows.serve"], env=env))
        click.echo(f"planwatch app: {app_url}")
        click.echo(f"Prefect UI:    http://127.0.0.1:{prefect_port}/")
        click.echo("Ctrl-C stops everything.")
        # both are idempotent and the sweep catches up missed days: a machine started late in
        # the day need not wait for tomorrow's 06:00 to send what is due
        run_now(env, ["cadence/daily", "deadlines/daily"], lambda: stopping)
        while not stopping:
            dead = [p for p in procs if p.poll() is not None]
            if dead:
                click.echo(f"{dead[0].args[-1]} exited ({dead[0].returncode}); stopping", err=True)
                break
            time.sleep(0.5)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop(procs)
        click.echo("stopped")


def register(main: click.Group) -> None:
    main.add_command(up)
