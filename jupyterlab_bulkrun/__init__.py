"""Bulkrun for JupyterLab: the labextension and the Bulkrun server proxied at /bulkrun/."""

try:
    from importlib.metadata import version as _version

    __version__ = _version("jupyterlab-bulkrun")
except Exception:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def _jupyter_labextension_paths():
    """Where `jupyter labextension develop` and JupyterLab find the built extension."""
    return [{"src": "labextension", "dest": "jupyterlab-bulkrun"}]
