"""The ``sksoc`` command: the class heads side by side on real data.

``sksoc compare`` trains every head on the same encoder and data and prints a
table of test accuracy, log loss and the geometry of the test embedding,
with scikit-learn's gradient boosting and MLP as reference rows;
``sksoc sweep`` shows how the accuracy of SOC depends on the size of the
embedding, with softmax for reference. ``sksoc --help`` lists the options and
the user guide page :ref:`cli` explains the outputs.

The command is a thin layer over the public API, doing what a script would:
split the data 70/30 by class, standardise a built-in dataset on the
training part (a CSV file's table goes to the estimators as read, text and
missing values included), fit the estimators at their defaults, score them
with :mod:`sksoc.metrics` and draw them with :mod:`sksoc.plotting`. Results
go to stdout; the progress bar and notes go to stderr. A user's mistake (a
missing file, an unknown name) ends with one line on stderr,
``sksoc: error: ...``, and exit status 2, never a traceback.

The modules, in the order a run meets them: ``_main`` (exit statuses and
error reporting), ``_parser`` (the options), ``_commands`` (compare and
sweep), ``_data`` (the datasets and their split), ``_models`` (building,
fitting and scoring the heads), ``_reference`` (the reference rows),
``_progress`` (the bar) and ``_output`` (the table and the files);
``_errors`` holds the error they all raise.
"""

from ._main import main

__all__ = ["main"]
