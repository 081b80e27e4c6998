"""Helpers the documentation build gives sphinx-gallery, named in ``conf.py``.

They live in a module, not in ``conf.py``, so that the configuration holds
only their names: Sphinx can then cache it without pickling functions.
"""

import os

# The gallery's lessons, in the order a reader should take them.
LESSONS = [
    "plot_soc_digits.py",
    "plot_one_feature.py",
    "plot_unfamiliar_inputs.py",
    "plot_embedding_size.py",
    "plot_fixed_vs_learnable.py",
    "plot_margins.py",
    "plot_grid_search_scorers.py",
]


class LessonOrder:
    """Sort key for ``within_subsection_order``: the order of ``LESSONS``.

    Examples not listed come after the lessons, by file name.
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(filename)
        if name in LESSONS:
            return f"{LESSONS.index(name):03d}"
        return f"999{name}"

    def __repr__(self):
        return f"<{type(self).__name__}>"


def reset_torch(gallery_conf, fname):
    """Before each example: one torch thread and torch's default seed state.

    The examples train small networks, which run fastest on one thread; and
    each example must not depend on the random draws of the one before it.
    """
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
