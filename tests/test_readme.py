"""The README shows what its main job, ``sksoc compare``, prints today."""

import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_script():
    path = ROOT / "benchmarks" / "readme_compare.py"
    spec = importlib.util.spec_from_file_location("readme_compare", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
