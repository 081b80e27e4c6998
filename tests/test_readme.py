"""The README shows what its main job, ``sksoc compare``, prints today."""

from tests.helpers import load_benchmark


def load_script():
    return load_benchmark("readme_compare")


def test_readme_table_is_the_output_of_sksoc_compare():
    script = load_script()
    text = script.README.read_text()
    start, end = script.readme_block(text)
    printed = script.as_block(script.compare_output())
    # Regenerate with: python benchmarks/readme_compare.py
    assert script.without_fit_seconds(text[start:end]) == script.without_fit_seconds(
        printed
    )
