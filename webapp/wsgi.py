"""The WSGI entry point for gunicorn: `gunicorn webapp.wsgi:app`.

Once the app is built, what it made (the models and their compiled statements, the
translations, the templates, Flask's and SQLAlchemy's machinery: about 150,000 objects) lives
as long as the worker, so it is moved out of the garbage collector's reach (`gc.freeze`).
Otherwise every full collection walks all of it again: about 200 ms, a pause of the worker in
the middle of some request every few thousand requests (measured on the bench's database:
one in 2,000 status changes).
"""

import gc

from webapp import create_app

app = create_app()
gc.collect()  # what building the app left behind, before the rest is frozen
gc.freeze()
