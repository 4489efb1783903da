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

# %% [markdown]
# ## Does PyTorch work?
# The check to type on every new machine: import torch and make a tensor of random numbers, here 5 rows and
# 3 columns drawn uniformly from [0, 1).

# %%
x = torch.rand(5, 3)
print(x)
print("PyTorch version:", torch.__version__)

# %% [markdown]
# ## Which device?
# `torch.cuda.is_available()` says whether PyTorch sees an NVIDIA GPU, `torch.backends.mps.is_available()`
# whether it sees an Apple-silicon GPU. The usual idiom picks the first one there is, and falls back to the CPU:

# %%
print("CUDA (NVIDIA GPU) available:", torch.cuda.is_available())
print("MPS (Apple GPU) available:  ", torch.backends.mps.is_available())
if torch.cuda.is_available():
    my_device = torch.device("cuda")
elif torch.backends.mps.is_available():
    my_device = torch.device("mps")
else:
    my_device = torch.device("cpu")
print("the idiom picks:", my_device)

# %% [markdown]
# Recent PyTorch versions say the same in one line with `torch.accelerator`, which knows every kind of
# accelerator (CUDA, MPS, and others): `torch.accelerator.current_accelerator()` is the one this machine has.

# %%
accelerator = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print("torch.accelerator picks:", accelerator)

# %% [markdown]
# Every later lesson writes `device = runtime.device()` instead. It makes the same choice, CUDA first, then MPS,
# then the CPU, and adds one thing: it follows the `--device` you give the runner, so that
# `pytorch-tutorial run 13 --device cpu` computes on the CPU even on a machine with a GPU.

# %%
device = runtime.device()
print("runtime.device():", device)

# %% [markdown]
# A first computation on the chosen device: a tensor is created there, and so is the result of any
# operation on it. `a @ a.T` is a matrix product; for a = [[1, 2], [3, 4]] it is [[5, 11], [11, 25]].

# %%
a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
product = a @ a.T
print(product)
print(f"computed on: {product.device}")
runtime.report(torch_version=torch.__version__, device=str(device))

# %% [markdown]
# ## Going further
# The whole environment report, the same as `pytorch-tutorial info` prints: versions, which accelerators
# PyTorch can see, the device the course picks and how many CPU threads PyTorch uses.

# %%
report = envinfo.environment_report(runtime.current().device)
for key, value in report.items():
    print(f"{key:<16} {value}")
