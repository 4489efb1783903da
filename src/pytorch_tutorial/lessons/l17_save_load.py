# %% [markdown]
# # Lesson 17 — Saving and loading
#
# Three functions do all the work: `torch.save(obj, path)` writes Python objects (tensors, dicts, models) to a
# file with Python's `pickle`; `torch.load(path, weights_only=True)` reads them back; `model.load_state_dict(...)`
# puts saved weights into a model. Here: the recommended way to save a model (its `state_dict`), saving the whole
# model, a checkpoint with the optimiser to resume training, and moving between GPU and CPU with `map_location`.
# "Going further" shows why loading a pickle can run code, how to resume training bit for bit, and how to save
# so that a crash never leaves a broken file.

# %%
import pickle

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision.transforms import v2

from pytorch_tutorial import engine, runtime
from pytorch_tutorial.data import mnist

cfg = runtime.settings(
    epochs=runtime.between(4, 1, 1000),
    batch_size=100,
    lr=0.05,
    hidden_size=128,
    dropout=runtime.between(0.2, 0.0, 1.0, below_high=True),
)
device = runtime.device()
seed = runtime.current().seed
print(f"computing on {device}")

# %% [markdown]
# ## A model to save
# A small network for MNIST, written with `nn.Sequential`, which chains layers: its output is the last layer
# applied to … the first layer applied to the input. `nn.Flatten` turns each 28x28 image into 784 numbers, as
# lesson 13's network does in its `forward`. `nn.Dropout` is new: while training, it zeroes a random 20 % of the
# hidden units at every step (which keeps the network from relying on any single unit); in evaluation mode it
# does nothing. We train it for a few epochs with SGD and momentum.

# %%


def make_model():
    """A fresh feed-forward network with dropout (random weights)."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, cfg.hidden_size),
        nn.ReLU(),
        nn.Dropout(cfg.dropout),
        nn.Linear(cfg.hidden_size, 10),
    ).to(device)


normalize = v2.Normalize(mean=[mnist.MEAN], std=[mnist.STD])
train_images, train_labels = mnist.tensors(train=True)
test_images, test_labels = mnist.tensors(train=False)
train_dataset = TensorDataset(normalize(train_images), train_labels)
test_loader = DataLoader(TensorDataset(normalize(test_images), test_labels), batch_size=500)
loss_fn = nn.CrossEntropyLoss()

torch.manual_seed(seed)
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)
loader = DataLoader(
    train_dataset, batch_size=cfg.batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed)
)
print(model)
for epoch in range(cfg.epochs):
    loss = engine.train_epoch(model, loader, loss_fn, optimizer, device, desc=f"epoch {epoch + 1}")
    print(f"  epoch {epoch + 1}/{cfg.epochs}: loss {loss:.4f}")
test_accuracy = engine.evaluate(model, test_loader, device)
print(f"test accuracy: {test_accuracy:.1%}")

# %% [markdown]
# ## The recommended way: save the `state_dict`
# `model.state_dict()` is an ordered dict from each layer's parameter name to its tensor — only numbers, no
# code. Save that; to load, build the same architecture in code and call `load_state_dict`. Before predicting,
# call `model.eval()`: it switches dropout (and batch norm) to their evaluation behaviour.

# %%
for name, tensor in model.state_dict().items():
    print(f"{name:<10} {tuple(tensor.shape)}")
weights_path = runtime.output_path("model_state_dict.pt")
torch.save(model.state_dict(), weights_path)

loaded_model = make_model()
loaded_model.load_state_dict(torch.load(weights_path, weights_only=True))
loaded_model.eval()
model.eval()
with torch.no_grad():
    some_images = normalize(test_images[:100]).to(device)
    state_dict_max_abs_diff = (model(some_images) - loaded_model(some_images)).abs().max().item()
print(f"saved {weights_path}; the loaded model's outputs differ by at most {state_dict_max_abs_diff}")

# %% [markdown]
# ## Saving the whole model
# `torch.save(model, path)` also works: it pickles the model object itself. Loading it back is refused by
# default: since PyTorch 2.6, `torch.load` uses `weights_only=True`, which rebuilds only tensors, numbers,
# strings and lists, tuples and dicts of them, and refuses anything else *before* running it. A pickle is a
# little program that may call any function, so loading one is running its author's code ("Going further" shows
# it). `weights_only=False` loads the model — do that only for a file you trust as much as your own code, like
# this one, which we have just written. The whole-model file also breaks when the model's class moves or changes;
# a state dict does not. Save state dicts.

# %%
whole_model_path = runtime.output_path("whole_model.pt")
torch.save(model, whole_model_path)
try:
    torch.load(whole_model_path)  # the default, weights_only=True
    whole_model_refused = False
except pickle.UnpicklingError as error:
    whole_model_refused = True
    print(f"refused by weights_only=True: {type(error).__name__}")
whole_model = torch.load(whole_model_path, weights_only=False)  # trusted: we wrote this file above
print(f"with weights_only=False: a {type(whole_model).__name__}")

# %% [markdown]
# ## A checkpoint: the model, the optimiser and the epoch
# To continue training later, save more than the weights: the optimiser has a `state_dict` too, with its
# settings and its per-weight state (here SGD's momentum buffers), and you want to know which epoch you reached.
# Put them in one dict and save it (a learning-rate scheduler's `state_dict` would go in the same way). To
# resume, build a fresh model and optimiser, and load the states into them.

# %%
checkpoint_path = runtime.output_path("checkpoint.pt")
torch.save({"epoch": cfg.epochs, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, checkpoint_path)

restored_model = make_model()
restored_optimizer = torch.optim.SGD(restored_model.parameters(), lr=cfg.lr, momentum=0.9)
state = torch.load(checkpoint_path, weights_only=True)
restored_model.load_state_dict(state["model"])
restored_optimizer.load_state_dict(state["optimizer"])
start_epoch = state["epoch"]
restored_model.train()  # ready to train on from start_epoch (or .eval() to predict)
momentum = restored_optimizer.state_dict()["state"][0]["momentum_buffer"]
print(f"restored the checkpoint of epoch {start_epoch}; momentum buffer of parameter 0: {tuple(momentum.shape)}")

# %% [markdown]
# ## GPU to CPU: `map_location`
# `torch.save` records on which device each tensor was. A file saved on a GPU, loaded on a machine without one,
# fails ("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False") unless you
# say where the tensors should go: `map_location="cpu"`, or `map_location=device` to load straight onto the
# device in use. (`load_state_dict` also copies weights onto whichever device the model is on.)

# %%
on_cpu = torch.load(weights_path, map_location="cpu", weights_only=True)
on_device = torch.load(weights_path, map_location=device, weights_only=True)
print(f"map_location='cpu': {on_cpu['1.weight'].device}; map_location=device: {on_device['1.weight'].device}")
runtime.report(
    test_accuracy=test_accuracy,
    state_dict_max_abs_diff=state_dict_max_abs_diff,
    whole_model_refused=whole_model_refused,
)

# %% [markdown]
# ## Going further
# ### A pickle runs code when loaded
# A pickle is not just data: it is a little program that Python runs to rebuild the objects, and it may call
# *any* function. See for yourself: an object whose pickle calls `print` when loaded.

# %%


class RunsCodeWhenLoaded:
    """An object whose pickle, when loaded, calls a function of the file's choosing."""

    def __reduce__(self):
        # pickle stores "call print(...)" to rebuild this object; a malicious file would call something worse
        return (print, ("    >>> this line was printed by code inside the file, while loading it <<<",))


demo_path = runtime.output_path("demo.pt")
torch.save({"weights": torch.ones(2), "surprise": RunsCodeWhenLoaded()}, demo_path)
print("loading with weights_only=False (we wrote this file ourselves a moment ago, so we trust it):")
torch.load(demo_path, weights_only=False)

# %% [markdown]
# ### A file saved on a GPU, on a machine without one
# With a GPU, the lesson saves its weights from the GPU. Without one, `checkpoint.as_if_saved_on_gpu` copies the
# weights file and changes the device recorded in it from `cpu` to `cuda:0` — the very string `torch.save` writes
# for a GPU tensor — so you can watch a GPU checkpoint arrive on a machine without a GPU.

# %%
from pytorch_tutorial import checkpoint

gpu_path = runtime.output_path("saved_on_gpu.pt")
if torch.cuda.is_available():
    torch.save(make_model().to("cuda").state_dict(), gpu_path)
else:
    checkpoint.as_if_saved_on_gpu(weights_path, gpu_path)
try:
    torch.load(gpu_path, weights_only=True)
    print("without map_location: loaded onto the GPU it was saved from")
    gpu_file_needs_map_location = False
except RuntimeError as error:
    print("without map_location:", str(error).splitlines()[0].split(". ")[0])
    gpu_file_needs_map_location = True
gpu_on_cpu = torch.load(gpu_path, map_location="cpu", weights_only=True)
print(f"with map_location='cpu': {gpu_on_cpu['1.weight'].device}")

# %% [markdown]
# ### Saving atomically
# `torch.save` writes a file piece by piece. If the program dies halfway (out of disk space, a killed job, a
# power cut), the file is half written — and it was the only copy of your last checkpoint. The course's
# `checkpoint.save_atomic(obj, path)` writes to a temporary file next to the target and then renames it over the
# target with `os.replace`, which the operating system performs in one step: readers see the old file or the new
# one, never a mixture. (Exercise 17.2 has you write it.) The checkpoints below are saved that way.
#
# ### Resuming exactly: the random number generators
# To continue *exactly* as if nothing had happened, a checkpoint must hold everything that changes during
# training: besides the model and the optimiser, the **random number generator states** — PyTorch's global
# generator (dropout masks) and the data loader's generator (the shuffling order of the next epoch). Without them
# the resumed run draws different random numbers than the straight one would have. We redo the training above:
# train half the epochs (`resume_after`), save, throw everything away, build **fresh** objects, load the
# checkpoint into them and train the remaining epochs — then compare with the straight run.

# %%
import copy

resume_after = cfg.epochs // 2  # the resumed run stops half-way (after 0 epochs when epochs=1) and resumes
straight_weights = copy.deepcopy(model.state_dict())


def new_training_objects():
    """A fresh model, optimiser, shuffling generator and data loader, made as for the straight run above."""
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(train_dataset, batch_size=cfg.batch_size, shuffle=True, generator=generator)
    return model, optimizer, generator, loader


def train(model, optimizer, loader, epochs):
    """Train for the given epochs."""
    for epoch in epochs:
        loss = engine.train_epoch(model, loader, loss_fn, optimizer, device, desc=f"epoch {epoch + 1}")
        print(f"  epoch {epoch + 1}/{cfg.epochs}: loss {loss:.4f}")


torch.manual_seed(seed)
model, optimizer, generator, loader = new_training_objects()
print(f"training {resume_after} epochs, then saving a checkpoint:")
train(model, optimizer, loader, range(resume_after))
resume_path = checkpoint.save_atomic(
    {
        "epoch": resume_after,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "torch_rng_state": torch.get_rng_state(),
        "cuda_rng_states": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "mps_rng_state": torch.mps.get_rng_state() if torch.backends.mps.is_available() else None,
        "loader_rng_state": generator.get_state(),
    },
    runtime.output_path("resume_checkpoint.pt"),
)
del model, optimizer, generator, loader
torch.manual_seed(seed + 12345)  # as in a new process: the global generator is somewhere else entirely
print(f"saved {resume_path}")

# %%


def resume(path, restore_rng=True):
    """Fresh objects, loaded from a checkpoint, trained to the end; returns the final model."""
    state = torch.load(path, weights_only=True)
    model, optimizer, generator, loader = new_training_objects()  # uses randomness: restore the RNG after
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if restore_rng:
        torch.set_rng_state(state["torch_rng_state"])
        if state["cuda_rng_states"]:
            torch.cuda.set_rng_state_all(state["cuda_rng_states"])
        if state["mps_rng_state"] is not None:
            torch.mps.set_rng_state(state["mps_rng_state"])
        generator.set_state(state["loader_rng_state"])
    print(f"resuming from epoch {state['epoch']}{'' if restore_rng else ', without the random states'}:")
    train(model, optimizer, loader, range(state["epoch"], cfg.epochs))
    return model


def max_abs_diff(weights, other_weights):
    """The largest difference between two state dicts' tensors."""
    return max((weights[name] - other_weights[name]).abs().max().item() for name in weights)


resumed_model = resume(resume_path)
resume_max_abs_diff = max_abs_diff(straight_weights, resumed_model.state_dict())
print(f"straight vs resumed: the weights differ by at most {resume_max_abs_diff}")

# %% [markdown]
# Zero: the same weights to the last bit. (On the CPU. GPUs use some non-deterministic kernels, so there the
# difference is tiny rather than zero unless you ask for `torch.use_deterministic_algorithms(True)`.) Leave the
# random states out and the resumed run diverges — different dropout masks, a different order of batches:

# %%
torch.manual_seed(seed + 12345)
resume_without_rng_max_abs_diff = max_abs_diff(straight_weights, resume(resume_path, restore_rng=False).state_dict())
print(
    f"straight vs resumed without the random states: the weights differ by up to {resume_without_rng_max_abs_diff:.4f}"
)
runtime.report(resume_max_abs_diff=resume_max_abs_diff, resume_without_rng_max_abs_diff=resume_without_rng_max_abs_diff)
