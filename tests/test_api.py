"""The public face: what `import factorlab as fl` offers, and that importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import factorlab as fl


def test_errors_are_value_errors_importable_from_the_top_level():
    assert issubclass(fl.DataError, ValueError)
    assert issubclass(fl.ConfigError, ValueError)


def test_public_names_are_exported():
    for name in ("Dataset", "load_dataset", "DataError", "ConfigError", "__version__"):
        assert name in fl.__all__ and hasattr(fl, name)


def test_import_does_not_load_pyplot_yfinance_or_ollama():
    code = (
        "import sys, factorlab; "
        "heavy = [m for m in ('matplotlib.pyplot', 'yfinance', 'ollama', 'seaborn') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
