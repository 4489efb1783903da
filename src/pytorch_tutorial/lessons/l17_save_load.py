# %% [markdown]
# # Lesson 17 — Saving and loading
#
# Three functions do all the work: `torch.save(obj, path)` writes Python objects (tensors, dicts, models) to a
# file with Python's `pickle`; `torch.load(path)` reads them back; `model.load_state_dict(state_dict)` puts saved
# weights into a model. Here: the recommended way to save a model (its `state_dict`), why loading a whole
# pickled model is refused today, checkpoints that resume training exactly where it stopped, moving between GPU
# and CPU with `map_location`, and saving so that a crash never leaves a broken file.

# %%
import copy
import inspect
import pickle

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision.transforms import v2

from pytorch_tutorial import checkpoint, engine, runtime
from pytorch_tutorial.data import mnist

cfg = runtime.settings(
    epochs=runtime.between(4, 1, 1000),
    batch_size=100,
    lr=0.05,
    hidden_size=128,
    dropout=runtime.between(0.2, 0.0, 1.0, below_high=True),
)
resume_after = cfg.epochs // 2  # the resumed run stops half-way (after 0 epochs when epochs=1) and resumes
device = runtime.device()
seed = runtime.current().seed
print(f"computing on {device}")

# %% [markdown]
# ## A model to save
# A small network for MNIST with a **dropout** layer: while training, `nn.Dropout` zeroes a random 20 % of the
# hidden units at every step (which keeps the network from relying on any single unit); in evaluation mode it
# does nothing. Those random choices come from PyTorch's random number generator — which will matter when we
# resume training.

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

# %% [markdown]
# ## Everything a training run needs, and the loop
# A run is more than the model: the optimiser (SGD with momentum keeps a running "velocity" per weight), the
# learning-rate scheduler (here the rate shrinks by 30 % each epoch) and the generator that shuffles the batches.
# One function makes all of them in their starting state, another trains for some epochs.

# %%


def new_training_objects():
    """A fresh model, optimiser, scheduler, shuffling generator and data loader."""
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(train_dataset, batch_size=cfg.batch_size, shuffle=True, generator=generator)
    return model, optimizer, scheduler, generator, loader


def train(model, optimizer, scheduler, loader, epochs):
    """Train for the given epochs, stepping the scheduler after each."""
    for epoch in epochs:
        loss = engine.train_epoch(model, loader, loss_fn, optimizer, device, desc=f"epoch {epoch + 1}")
        scheduler.step()
        print(f"  epoch {epoch + 1}/{cfg.epochs}: loss {loss:.4f}, next learning rate {scheduler.get_last_lr()[0]:.4f}")


torch.manual_seed(seed)
model, optimizer, scheduler, generator, loader = new_training_objects()
print(f"training {cfg.epochs} epochs straight:")
train(model, optimizer, scheduler, loader, range(cfg.epochs))
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
weights_path = checkpoint.save_atomic(model.state_dict(), runtime.output_path("model_state_dict.pt"))

loaded_model = make_model()
loaded_model.load_state_dict(checkpoint.load_weights(weights_path))
model.eval()
loaded_model.eval()
with torch.no_grad():
    some_images = normalize(test_images[:100]).to(device)
    state_dict_max_abs_diff = (model(some_images) - loaded_model(some_images)).abs().max().item()
print(f"saved {weights_path}; the loaded model's outputs differ by at most {state_dict_max_abs_diff}")

# %% [markdown]
# The optimiser has a `state_dict` too: its settings (`param_groups`) and its per-weight state (`state`, here
# the momentum buffers), keyed by the position of each parameter in `model.parameters()`.

# %%
optimizer_state = optimizer.state_dict()
print("optimizer param_groups:", {k: v for k, v in optimizer_state["param_groups"][0].items() if k != "params"})
print("optimizer state for parameter 0:", {k: tuple(v.shape) for k, v in optimizer_state["state"][0].items()})

# %% [markdown]
# ## Saving the whole model, and why loading it is refused
# `torch.save(model)` also works: it pickles the model object itself. But a pickle is not just data — it is a
# little program that Python runs to rebuild the objects, and it may call *any* function. Loading a pickle
# from someone else is running their code. See for yourself: an object whose pickle calls `print` when loaded.

# %%


class RunsCodeWhenLoaded:
    """An object whose pickle, when loaded, calls a function of the file's choosing."""

    def __reduce__(self):
        # pickle stores "call print(...)" to rebuild this object; a malicious file would call something worse
        return (print, ("    >>> this line was printed by code inside the file, while loading it <<<",))


demo_path = checkpoint.save_atomic(
    {"weights": torch.ones(2), "surprise": RunsCodeWhenLoaded()}, runtime.output_path("demo.pt")
)
print("loading with weights_only=False (we wrote this file ourselves a moment ago, so we trust it):")
torch.load(demo_path, weights_only=False)

# %% [markdown]
# Since PyTorch 2.6, `torch.load` uses `weights_only=True` by default: it rebuilds only tensors, numbers,
# strings and lists, tuples and dicts of them, and refuses anything else *before* running it. A `state_dict`
# loads fine that way; a whole pickled model does not:

# %%
whole_model_path = checkpoint.save_atomic(model, runtime.output_path("whole_model.pt"))
try:
    torch.load(whole_model_path)  # the default, weights_only=True
    whole_model_refused = False
except pickle.UnpicklingError as error:
    whole_model_refused = True
    reason = next(line.strip() for line in str(error).splitlines() if "Unsupported global" in line)
    print("refused:", reason.split(". ")[0])

# %% [markdown]
# `weights_only=False` loads it — but only do that for a file you trust as much as your own code, like this one,
# which the lesson itself has just written:

# %%
whole_model = torch.load(whole_model_path, weights_only=False)  # trusted: we wrote this file above
print(f"loaded a {type(whole_model).__name__}; it also depends on the class definitions being importable unchanged")

# %% [markdown]
# Whole-model files have a second problem: the pickle refers to the classes by module and name, so the file
# breaks when the code moves or changes. State dicts do not. Save state dicts; load with `weights_only=True`.
#
# ## Checkpoints: resume training exactly
# A long training run should save a **checkpoint** now and then, so that a crash costs minutes, not days. To
# continue *exactly* as if nothing had happened, a checkpoint holds everything that changes during training:
#
# - the epoch reached, the model's and the optimiser's `state_dict` (momentum buffers!), the scheduler's;
# - the **random number generator states**: PyTorch's global generator (dropout masks) and the data loader's
#   generator (the shuffling order of the next epoch). Without them the resumed run draws different random
#   numbers than the straight one would have.
#
# All of these are tensors, numbers and dicts, so `weights_only=True` loads them. We train half the
# epochs (`resume_after`), save, throw everything away, build **fresh** objects, load the checkpoint into them
# and train the remaining epochs — then compare with the straight run above.

# %%
straight_weights = copy.deepcopy(model.state_dict())

torch.manual_seed(seed)
model, optimizer, scheduler, generator, loader = new_training_objects()
print(f"training {resume_after} epochs, then saving a checkpoint:")
train(model, optimizer, scheduler, loader, range(resume_after))
checkpoint_path = checkpoint.save_atomic(
    {
        "epoch": resume_after,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "torch_rng_state": torch.get_rng_state(),
        "cuda_rng_states": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "mps_rng_state": torch.mps.get_rng_state() if torch.backends.mps.is_available() else None,
        "loader_rng_state": generator.get_state(),
    },
    runtime.output_path("checkpoint.pt"),
)
del model, optimizer, scheduler, generator, loader
torch.manual_seed(seed + 12345)  # as in a new process: the global generator is somewhere else entirely
print(f"saved {checkpoint_path}")

# %%


def resume(path, restore_rng=True):
    """Fresh objects, loaded from a checkpoint, trained to the end; returns the final model."""
    state = checkpoint.load_weights(path)
    model, optimizer, scheduler, generator, loader = new_training_objects()  # uses randomness: restore RNG after
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    if restore_rng:
        torch.set_rng_state(state["torch_rng_state"])
        if state["cuda_rng_states"]:
            torch.cuda.set_rng_state_all(state["cuda_rng_states"])
        if state["mps_rng_state"] is not None:
            torch.mps.set_rng_state(state["mps_rng_state"])
        generator.set_state(state["loader_rng_state"])
    print(f"resuming from epoch {state['epoch']}{'' if restore_rng else ', without the random states'}:")
    train(model, optimizer, scheduler, loader, range(state["epoch"], cfg.epochs))
    return model


def max_abs_diff(weights, other_weights):
    """The largest difference between two state dicts' tensors."""
    return max((weights[name] - other_weights[name]).abs().max().item() for name in weights)


resumed_model = resume(checkpoint_path)
resume_max_abs_diff = max_abs_diff(straight_weights, resumed_model.state_dict())
print(f"straight vs resumed: the weights differ by at most {resume_max_abs_diff}")

# %% [markdown]
# Zero: the same weights to the last bit. (On the CPU. GPUs use some non-deterministic kernels, so there the
# difference is tiny rather than zero unless you ask for `torch.use_deterministic_algorithms(True)`.) Leave the
# random states out and the resumed run diverges — different dropout masks, a different order of batches:

# %%
torch.manual_seed(seed + 12345)
resume_without_rng_max_abs_diff = max_abs_diff(
    straight_weights, resume(checkpoint_path, restore_rng=False).state_dict()
)
print(
    f"straight vs resumed without the random states: the weights differ by up to {resume_without_rng_max_abs_diff:.4f}"
)

# %% [markdown]
# ## GPU to CPU: `map_location`
# `torch.save` records on which device each tensor was. A file saved on a GPU, loaded on a machine without one,
# fails ("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False") unless you
# say where the tensors should go: `map_location="cpu"`, or `map_location=device` to load straight onto the
# device in use. (`load_state_dict` also copies weights onto whichever device the model is on.)
#
# With a GPU, the lesson saves its model from the GPU. Without one, it copies the weights file and changes the
# device recorded in it from `cpu` to `cuda:0` — the very string `torch.save` writes for a GPU tensor — so you
# can watch a GPU checkpoint arrive on a machine without a GPU.

# %%
if torch.cuda.is_available():
    gpu_path = checkpoint.save_atomic(make_model().to("cuda").state_dict(), runtime.output_path("saved_on_gpu.pt"))
else:
    gpu_path = checkpoint.as_if_saved_on_gpu(weights_path, runtime.output_path("saved_on_gpu.pt"))
try:
    torch.load(gpu_path, weights_only=True)
    print("without map_location: loaded onto the GPU it was saved from")
    gpu_file_needs_map_location = False
except RuntimeError as error:
    print("without map_location:", str(error).splitlines()[0].split(". ")[0])
    gpu_file_needs_map_location = True
on_cpu = torch.load(gpu_path, map_location="cpu", weights_only=True)
on_device = torch.load(gpu_path, map_location=device, weights_only=True)
print(
    f"map_location='cpu': {next(iter(on_cpu.values())).device}; map_location=device: {next(iter(on_device.values())).device}"
)

# %% [markdown]
# ## Saving atomically
# `torch.save` writes a file piece by piece. If the program dies halfway (out of disk space, a killed job, a
# power cut), the file is half written — and it was the only copy of your last checkpoint. The course's
# `checkpoint.save_atomic` writes to a temporary file next to the target and then renames it over the target
# with `os.replace`, which the operating system performs in one step: readers see the old file or the new
# one, never a mixture.

# %%
print(inspect.getsource(checkpoint.save_atomic))

# %%
runtime.report(
    test_accuracy=test_accuracy,
    state_dict_max_abs_diff=state_dict_max_abs_diff,
    whole_model_refused=whole_model_refused,
    resume_max_abs_diff=resume_max_abs_diff,
    resume_without_rng_max_abs_diff=resume_without_rng_max_abs_diff,
)
