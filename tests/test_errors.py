"""factorlab's errors: ValueErrors whose message is the whole story, in Jupyter too."""

from __future__ import annotations

import contextlib
import io

import pytest

import factorlab as fl


@pytest.mark.parametrize("error", [fl.DataError, fl.ConfigError])
def test_both_errors_are_value_errors(error):
    assert issubclass(error, ValueError)


def test_jupyter_shows_the_message_not_a_traceback():
    from IPython.core.interactiveshell import InteractiveShell  # the notebook's shell

    shell = InteractiveShell.instance()
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(shown):
        shell.run_cell("import factorlab as fl\nfl.load_dataset('smaple')")
    text = shown.getvalue()
    assert text.startswith("DataError: Unknown dataset source 'smaple'") and "Did you mean" in text
    assert "Traceback" not in text and "sources.py" not in text
