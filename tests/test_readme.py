"""The README shows what its main job, ``sksoc compare``, prints today."""

from tests.helpers import load_benchmark


def load_script():
    return load_benchmark("readme_compare")


def without_fit_seconds(block):
    """The block's lines, the last column of the table rows dropped."""
    lines = block.splitlines()
    header = next(i for i, line in enumerate(lines) if "fit_seconds" in line)
    return [
        line.rsplit(None, 1)[0] if i >= header and line.strip() else line.rstrip()
        for i, line in enumerate(lines)
    ]


def test_readme_table_is_the_output_of_sksoc_compare():
    script = load_script()
    text = script.README.read_text()
    start, end = script.readme_block(text)
    printed = script.as_block(script.compare_output())
    # Regenerate with: python benchmarks/readme_compare.py
    assert without_fit_seconds(text[start:end]) == without_fit_seconds(printed)
