"""The app gunicorn serves (`webapp.wsgi:app`) keeps its start-up objects out of the garbage
collector's full passes, so a worker does not pause for them in the middle of a request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc
import webapp.wsgi
frozen, young = gc.get_freeze_count(), len(gc.get_objects())
print(frozen, young, type(webapp.wsgi.app).__name__)
"""


def test_the_served_app_freezes_what_it_built(db_url, tmp_path):
    env = {**os.environ, "PLANWATCH_DATABASE_URL": db_url, "PLANWATCH_SECRET_KEY": "t" * 32,
           "PLANWATCH_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120).stdout.split()
    frozen, young, kind = int(out[0]), int(out[1]), out[2]
    assert kind == "Flask"
    # the app's objects are frozen; what a full collection still walks is a small remainder
    assert frozen > 50_000 and young < frozen / 10, (frozen, young)
