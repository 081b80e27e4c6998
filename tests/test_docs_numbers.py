"""The outputs the command-line page shows are what the commands print today.

``benchmarks/cli_outputs.py`` writes them; regenerate with
``python benchmarks/cli_outputs.py`` (after ``python
benchmarks/readme_compare.py``, whose README block the page's first run
copies).
"""

import pytest

from tests.helpers import load_benchmark


def load_script():
    return load_benchmark("cli_outputs")


script = load_script()


def included(name):
    return (script.OUT / name).read_text()


@pytest.fixture(scope="module")
def printed():
    """What the page's commands print now, per file."""
    return script.sessions()


@pytest.mark.parametrize("name", list(script.SESSIONS))
def test_included_output_is_what_the_commands_print(name, printed):
    # Regenerate with: python benchmarks/cli_outputs.py
    assert script.without_timing(included(name)) == script.without_timing(printed[name])


def test_the_first_run_is_the_readme_output():
    # The README's block is checked against the command by tests/test_readme.py.
    assert script.without_timing(included("compare.txt")) == script.without_timing(
        script.first_run()
    )


def test_the_dataset_table_counts_the_data():
    # mnist1d takes seconds to generate; its sizes are checked by the slow
    # test of tests/test_cli.py.
    names = [name for name in script.DATASETS if name != "mnist1d"]
    rows = script.as_csv(script.datasets_table(names)).splitlines()
    assert set(rows) <= set(included("datasets.csv").splitlines())


def test_the_sweep_sentence_holds():
    # cli.rst: "five dimensions are enough for SOC to match softmax with ten".
    lines = included("sweep.txt").splitlines()
    rows = [line.split() for line in lines[lines.index("") + 2 :] if line.strip()]
    accuracy = {(head, int(dim)): float(acc) for head, dim, acc, *_ in rows}
    assert accuracy["soc", 5] >= accuracy["softmax", 10] - 0.005
