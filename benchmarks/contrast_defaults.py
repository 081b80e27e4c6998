"""SOC's contrast term: what it costs and buys, the table behind its default.

Run::

    python benchmarks/contrast_defaults.py --out docs/user_guide/_generated/contrast

Each setting is :class:`~sksoc.SOCClassifier` with a ``contrast_weight``
and a number of contrast rows per training row (the head's
``CONTRAST_ROWS_PER_ROW``, a module constant that this script sets for the
run of a setting), every other parameter at its default. Two measurements:

tables
    Every set of ``tabular.py`` (``_tabular_sets.py``: raw DataFrames) and
    seed, its stratified 75/25 split: each setting and
    :class:`~sksoc.SoftmaxClassifier` fitted on the raw training frame, one
    after another on the same set and seed, so that the fit-time ratio of a
    setting to the softmax head compares fits made minutes apart on the
    same machine. Test accuracy, log loss and ``fit`` seconds.
open set
    The cases of ``open_set.py`` (its ``CASE_NAMES``: unseen classes,
    uniform noise and shuffled rows on digits and MNIST-1D, and its cases on
    raw DataFrames: unseen classes, noise and shuffled columns), with its
    rows (``case_rows``): the AUROC of the setting's ``score_samples`` (the
    class-mixture density), known rows positive.

``--out DIR`` writes ``runs.csv`` (a row per table fit), ``auroc.csv`` (a
row per setting, case and seed) and ``summary.csv``, a row per setting:
mean accuracy over the tables' sets and seeds and its difference to the
setting without the term in points, geometric-mean log loss, the
geometric means of the fit-time ratios to the softmax head and to the
setting without the term (same set and seed), the epochs trained over
those without the term, the mean AUROC over the
unseen-class cases, and the lowest mean AUROC of a noise or shuffled case.
The user guide's SOC page includes the summary, and ``contrast_weight``'s
default is the setting it names there.

    python benchmarks/contrast_defaults.py [--sets ...] [--seeds 0 1]
        [--open-set-seeds 0 1] [--open-set-data digits ...] [--out DIR]
    python benchmarks/contrast_defaults.py --summarize DIR [--out DIR]
"""

import sys
import time
from pathlib import Path

# The sibling scripts, also when this file is imported from elsewhere.
if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

import open_set
import pandas as pd
from _settings import report, settings_parser
from _tabular_sets import TABULAR_SETS, tabular_split
from tabular import fit_and_score, geometric_mean, warm_up

import sksoc.heads._soc_head as soc_head
from sksoc import SOCClassifier, SoftmaxClassifier
from sksoc.metrics import open_set_auroc

# (contrast_weight, contrast rows per training row); the first is the term off.
SETTINGS = ((0.0, 0.5), (0.3, 0.5), (1.0, 0.5), (3.0, 0.5), (1.0, 0.25))
SOFTMAX = "SoftmaxClassifier"
FAR_KINDS = ("noise", "shuffled", "shuffled columns")


def setting_name(weight, rows):
    if weight == 0:
        return "contrast_weight=0"
    return f"contrast_weight={weight:g}, {rows:g} rows per row"


def soc_model(weight, rows, seed):
    """``SOCClassifier(contrast_weight=weight)``, its head drawing ``rows`` per row."""
    soc_head.CONTRAST_ROWS_PER_ROW = rows
    return SOCClassifier(random_state=seed, contrast_weight=weight)


def run_tables(sets, seeds):
    """A row per set, seed and model: accuracy, log loss, fit seconds."""
    warm_up([SOFTMAX])
    rows = []
    for name in sets:
        for seed in seeds:
            X_train, X_test, y_train, y_test = tabular_split(name, seed)
            models = {SOFTMAX: lambda s: SoftmaxClassifier(random_state=s)}
            for weight, per_row in SETTINGS:
                models[setting_name(weight, per_row)] = lambda s, w=weight, r=per_row: (
                    soc_model(w, r, s)
                )
            for model_name, build in models.items():
                model = build(seed)
                scores = fit_and_score(model, X_train, X_test, y_train, y_test)
                seconds = scores["fit_seconds"]
                rows.append(
                    {
                        "set": name,
                        "seed": seed,
                        "model": model_name,
                        "accuracy": scores["accuracy"],
                        "log_loss": scores["log_loss"],
                        "fit_seconds": seconds,
                        "epochs": model.n_iter_,
                    }
                )
                print(
                    f"  {name:17} seed {seed}  {model_name:40} accuracy "
                    f"{scores['accuracy']:.4f}  fit {seconds:6.2f} s  "
                    f"epochs {model.n_iter_}",
                    flush=True,
                )
    return pd.DataFrame(rows)


def run_open_set(seeds, names=tuple(open_set.N_KNOWN)):
    """A row per setting, case and seed: the AUROC of SOC's density."""
    rows = []
    for name in names:
        for seed in seeds:
            case = open_set.case_rows(name, seed)
            for weight, per_row in SETTINGS:
                model = soc_model(weight, per_row, seed).fit(case.X_fit, case.y_fit)
                on_known = model.score_samples(case.X_known)
                for kind, unknown in case.unknown.items():
                    rows.append(
                        {
                            "case": open_set.CASE_NAMES[name, kind],
                            "kind": kind,
                            "seed": seed,
                            "model": setting_name(weight, per_row),
                            "auroc": open_set_auroc(
                                on_known, model.score_samples(unknown)
                            ),
                        }
                    )
            print(f"  open set: {name} seed {seed}", flush=True)
    return pd.DataFrame(rows)


def summary(runs, auroc):
    """A row per setting: accuracy, its cost and its open-set AUROC."""
    times = runs.pivot_table(
        index=["set", "seed"], columns="model", values="fit_seconds"
    )
    off = setting_name(*SETTINGS[0])
    rows = []
    for weight, per_row in SETTINGS:
        name = setting_name(weight, per_row)
        mine = runs[runs["model"] == name]
        base = runs[runs["model"] == off]
        cases = auroc[auroc["model"] == name].groupby(["case", "kind"])["auroc"].mean()
        far = cases[cases.index.get_level_values("kind").isin(FAR_KINDS)]
        unseen = cases[cases.index.get_level_values("kind") == "unseen"]
        rows.append(
            {
                "setting": name,
                "accuracy": mine["accuracy"].mean(),
                "accuracy change (points)": 100
                * (mine["accuracy"].mean() - base["accuracy"].mean()),
                "log loss": geometric_mean(mine["log_loss"]),
                "fit time / softmax": geometric_mean(times[name] / times[SOFTMAX]),
                "fit time / term off": geometric_mean(times[name] / times[off]),
                "epochs / term off": mine["epochs"].sum() / base["epochs"].sum(),
                "unseen-class AUROC": unseen.mean(),
                "lowest far AUROC": far.min(),
                "lowest far case": far.idxmin()[0],
            }
        )
    return pd.DataFrame(rows)


def parse_args(argv=None):
    parser = settings_parser(__doc__.split("\n")[0], sets=TABULAR_SETS)
    parser.add_argument("--open-set-seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--open-set-data", nargs="+", default=list(open_set.N_KNOWN))
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    if args.summarize is not None:
        runs = pd.read_csv(args.summarize / "runs.csv")
        auroc = pd.read_csv(args.summarize / "auroc.csv")
    else:
        runs = run_tables(args.sets, args.seeds)
        auroc = run_open_set(args.open_set_seeds, args.open_set_data)
    table = summary(runs, auroc)
    soc_head.CONTRAST_ROWS_PER_ROW = SETTINGS[0][1]
    report(runs, table, args.out, start)
    if args.out is not None:
        auroc.to_csv(args.out / "auroc.csv", index=False, float_format="%.6g")


if __name__ == "__main__":
    main()
