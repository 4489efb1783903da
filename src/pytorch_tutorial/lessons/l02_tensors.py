# %% [markdown]
# # Lesson 2 — Tensor basics
#
# A tensor is PyTorch's n-dimensional array: like a NumPy array, but it can live on a GPU and remember how it
# was computed (lesson 3). Here: how to make tensors, compute with them, index, reshape, convert to and from
# NumPy, and move them between devices.

# %%
import numpy as np
import torch

from pytorch_tutorial import runtime

device = runtime.device()  # CUDA, then MPS, then the CPU (lesson 1)

# %% [markdown]
# ## Creating tensors
# `torch.empty` only reserves memory (its values are whatever was there), `zeros`/`ones` fill it, `rand`
# draws uniformly from [0, 1). A shape is given as separate sizes: `torch.zeros(2, 3)` has 2 rows, 3 columns.

# %%
empty = torch.empty(2, 3)
zeros = torch.zeros(2, 3)
ones = torch.ones(2, 3, dtype=torch.int32)
uniform = torch.rand(2, 3)
from_list = torch.tensor([[1.5, 2.5], [3.5, 4.5]])
steps = torch.arange(0, 10, 2)  # 0, 2, 4, 6, 8: like range(), the end is left out
grid = torch.linspace(0, 1, 5)  # 5 evenly spaced points, both ends included
print("zeros:", zeros.shape, zeros.dtype)
print("ones as int32:", ones.dtype)
print("rand:", uniform)
print("from a list:", from_list)
print("arange(0, 10, 2):", steps)
print("linspace(0, 1, 5):", grid)
print("float64:", torch.ones(2, dtype=torch.float64).dtype)

# %% [markdown]
# ## Arithmetic
# Operators work element by element. A method whose name ends in `_` works **in place**: `y.add_(x)` changes
# `y` itself instead of making a new tensor.

# %%
x = torch.tensor([1.0, 2.0, 3.0])
y = torch.tensor([10.0, 20.0, 30.0])
print("x + y =", x + y, "  same as torch.add(x, y):", torch.add(x, y))
print("x * y =", x * y, "  x / y =", x / y)
y.add_(x)  # in place: y is now [11, 22, 33]
print("after y.add_(x), y =", y)

# %% [markdown]
# ## Broadcasting: different shapes in one operation
# Two tensors of different shapes can still be added (or multiplied, …) when their shapes fit. PyTorch lines
# the shapes up from the **last** dimension backwards; two sizes fit when they are equal or one of them is 1
# (a missing dimension counts as 1). A size-1 dimension is then stretched to the other size, without copying.
#
# - (2, 3) + (3,): the row is added to each of the 2 rows.
# - (2, 1) + (1, 3): every element of the column meets every element of the row, giving (2, 3).
#   `t[:, None]` (the same as `t.unsqueeze(1)`) turns a vector of shape (n,) into a column (n, 1);
#   `t[None, :]` turns it into a row (1, n).
# - (2, 3) + (2,): the last sizes are 3 and 2, neither is 1, so PyTorch refuses.

# %%
matrix = torch.zeros(2, 3)
row = torch.tensor([1.0, 2.0, 3.0])
print("(2, 3) + (3,):", matrix + row)

tens = torch.tensor([0, 10])
units = torch.tensor([1, 2, 3])
print("a column", tuple(tens[:, None].shape), "and a row", tuple(units[None, :].shape))
pairwise = tens[:, None] + units[None, :]
print("their sum, every ten plus every unit:", pairwise)

try:
    matrix + torch.ones(2)
except RuntimeError as error:
    print("(2, 3) + (2,) does not fit:", error)

# %% [markdown]
# ## Indexing and slicing
# Like NumPy: `t[row, column]`, `:` takes everything along a dimension. `.item()` turns a one-element tensor
# into a Python number.

# %%
t = torch.arange(12).reshape(3, 4)
print(t)
print("first column:", t[:, 0])
print("second row:", t[1, :])
print("element (1, 1):", t[1, 1], "as a Python number:", t[1, 1].item())

# %% [markdown]
# ## Reshaping
# `view` and `reshape` rearrange the same elements into another shape; the number of elements must not change.
# `-1` asks PyTorch to work one size out: 16 elements viewed as (-1, 8) become 2 × 8.

# %%
sixteen = torch.rand(4, 4)
flat = sixteen.view(16)
two_by_eight = sixteen.view(-1, 8)
print(sixteen.shape, "->", flat.shape, "->", two_by_eight.shape)

# %% [markdown]
# `view` and `reshape` keep the elements in their order. To **reorder the dimensions** themselves use `permute`,
# which lists the old dimensions in their new order. An image stored as (height, width, colour channels), as
# image files and NumPy have it, becomes PyTorch's (channels, height, width) with `permute(2, 0, 1)`; for a
# matrix, `permute(1, 0)` is the transpose `.T`. A permuted tensor is not stored in its new order, so `view`
# refuses it; `reshape` works, copying where it must.

# %%
image = torch.arange(24).reshape(2, 3, 4)  # height 2, width 3, 4 channels (red, green, blue, alpha)
channels_first = image.permute(2, 0, 1)
print(tuple(image.shape), "->", tuple(channels_first.shape))
print("the same pixel value:", image[1, 2, 0].item(), "==", channels_first[0, 1, 2].item())
try:
    channels_first.view(-1)
except RuntimeError as error:
    print("view after permute fails:", str(error).split(".")[0])
print("reshape works; the red channel now comes first:", channels_first.reshape(-1)[:6], "...")

# %% [markdown]
# ## The NumPy round trip
# On the CPU, `tensor.numpy()` and `torch.from_numpy(array)` **share memory**: no copy is made, so changing one
# changes the other. Use `.clone()` or `torch.tensor(array)` when you want an independent copy.

# %%
a = torch.ones(5)
b = a.numpy()
a.add_(1)  # change the tensor ...
print("tensor:", a, " numpy array:", b)  # ... and the array sees it

c = np.ones(5)
d = torch.from_numpy(c)
c += 1  # change the array ...
print("numpy array:", c, " tensor:", d)  # ... and the tensor sees it

copy = torch.tensor(c)  # torch.tensor always copies
c += 1
print("a torch.tensor copy does not follow:", copy)

# %% [markdown]
# ## Devices
# A tensor lives on one device; an operation needs all its inputs on the same one. `.to(device)` moves (copies)
# a tensor. NumPy only knows the CPU, so a GPU tensor must come back first: `gpu_tensor.cpu().numpy()` — calling
# `.numpy()` on a CUDA tensor raises a `TypeError`.

# %%
on_device = torch.ones(3).to(device)  # a copy on the device (no copy at all when it is already there)
doubled = on_device * 2
back_on_cpu = doubled.cpu().numpy()
print(f"computed on {doubled.device}, brought back to NumPy: {back_on_cpu}")

# %% [markdown]
# `requires_grad=True` tells PyTorch to record operations on a tensor so that it can compute gradients later —
# the subject of the next lesson.

# %%
w = torch.ones(5, requires_grad=True)
print(w)
runtime.report(broadcast_shape=list(pairwise.shape), view_shape=list(two_by_eight.shape))

# %% [markdown]
# ## Going further
# Without a GPU you can still see that `.numpy()` needs a CPU tensor: every PyTorch has the `meta` device
# (tensors with a shape but no data), and it is not the CPU either.

# %%
on_meta = torch.ones(3, device="meta")
try:
    on_meta.numpy()
except TypeError as error:
    print("as expected, .numpy() on a meta tensor fails:", str(error).splitlines()[0])
