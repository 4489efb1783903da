# %% [markdown]
# # Lesson 1 — Installation and environment check
#
# Before we learn anything, we make sure PyTorch works on this machine, and find out which device it can
# compute on: an NVIDIA GPU (CUDA), an Apple-silicon GPU (MPS), or the CPU.
#
# **Installing PyTorch.** This course pins the versions it is tested with in `requirements.txt`; the README's
# first command installs them into a virtual environment. If you install PyTorch on your own:
#
# - **CPU only** (any laptop): `pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu`
#   — a much smaller download than the default Linux wheels, which bundle CUDA.
# - **NVIDIA GPU** (Linux, Windows): `pip install torch torchvision` gives the CUDA build on Linux; on Windows
#   pick the CUDA index URL for your driver from the selector at pytorch.org/get-started. You need a recent
#   NVIDIA driver, not a separate CUDA toolkit: the wheels carry their own CUDA libraries.
# - **Apple silicon** (M1 and later): `pip install torch torchvision` — the MPS backend is built in.
#
# Then check it, as this lesson does.

# %%
import torch

from pytorch_tutorial import envinfo, runtime

cfg = runtime.settings()
device = runtime.device()

# %% [markdown]
# The environment report: versions, which accelerators PyTorch can see, and the device the course picks —
# CUDA first, then MPS, then the CPU (the runner's `--device` changes that).

# %%
report = envinfo.environment_report(runtime.current().device)
for key, value in report.items():
    print(f"{key:<16} {value}")

# %% [markdown]
# A first computation on the chosen device: a tensor is created there, and so is the result of any
# operation on it. `x @ x.T` is a matrix product; for x = [[1, 2], [3, 4]] it is [[5, 11], [11, 25]].

# %%
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
product = x @ x.T
print(product)
print(f"computed on: {product.device}")

# %%
runtime.report(torch_version=torch.__version__, device=str(device))
