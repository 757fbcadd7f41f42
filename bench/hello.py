"""The hello-world Flask app every web figure is measured against, under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """The least a Flask view can do."""
    return "hello"


@app.get("/page")
def page():
    """A small HTML page, the floor for the planwatch pages."""
    return "<!doctype html><html><body><h1>hello</h1></body></html>"
