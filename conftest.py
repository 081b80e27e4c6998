import torch

# The models under test are tiny: one intra-op thread is faster than two, and
# it keeps the timing steady on a shared machine (OpenMP threads spin-waiting
# for a busy core slowed small fits down twentyfold).
torch.set_num_threads(1)
