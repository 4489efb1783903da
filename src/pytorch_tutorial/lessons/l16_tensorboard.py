# %% [markdown]
# # Lesson 16 — TensorBoard
#
# Printing the loss every few steps works for one run; comparing runs, watching curves and looking inside a
# network needs a dashboard. **TensorBoard** is that dashboard. PyTorch writes to it through
# `torch.utils.tensorboard.SummaryWriter`, which appends records to *event files* in a log folder; the
# `tensorboard` program reads that folder and serves the dashboard in your browser.
#
# We train lesson 13's feed-forward network on MNIST and log, in turn: a grid of training images, the training
# loss and accuracy as curves, histograms of the weights, precision-recall curves per digit, and the
# hyperparameters of the run with its result. Then we run it again with another learning rate and compare the two
# runs in TensorBoard, as the original lesson does. ("Going further" logs the model's graph as well.)

# %%
import shutil

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.tensorboard import SummaryWriter
from torchvision.transforms import v2

from pytorch_tutorial import engine, runtime
from pytorch_tutorial.data import mnist
from pytorch_tutorial.models import FeedForward

cfg = runtime.settings(epochs=2, batch_size=100, lr=0.001, hidden_size=500, log_every=10)
device = runtime.device()
print(f"computing on {device}")

# %% [markdown]
# ## The data
# The data as in lesson 13, loaded before anything is logged: if it cannot be read, no half-filled log is left.

# %%
normalize = v2.Normalize(mean=[mnist.MEAN], std=[mnist.STD])
train_images, train_labels = mnist.tensors(train=True)
test_images, test_labels = mnist.tensors(train=False)
train_loader = DataLoader(
    TensorDataset(normalize(train_images), train_labels),
    batch_size=cfg.batch_size,
    shuffle=True,
    generator=runtime.generator(),
)
test_loader = DataLoader(TensorDataset(normalize(test_images), test_labels), batch_size=500)

# %% [markdown]
# ## A writer and its log folder
# Each run gets its own folder under `runs/`, named after its settings: `runs/lr=0.001,batch_size=100,...`.
# TensorBoard shows every folder below the one you point it at as a run, so runs with different settings appear
# side by side. A rerun with the *same* settings replaces its own folder (otherwise two runs' curves would be
# drawn on top of each other); the folders of other runs stay.
#
# A first look at the data: `torchvision.utils.make_grid` tiles a batch of images into one picture; `add_image`
# logs it (IMAGES tab). We keep the pixels in [0, 1] for the picture and normalise only what the network sees.

# %%
runs_dir = runtime.out_dir() / "runs"
run_name = f"lr={cfg.lr},batch_size={cfg.batch_size},hidden_size={cfg.hidden_size},epochs={cfg.epochs}"
log_dir = runs_dir / run_name
shutil.rmtree(log_dir, ignore_errors=True)  # only this run's own folder
writer = SummaryWriter(log_dir=str(log_dir))
print(f"logging to {log_dir}")

image_grid = torchvision.utils.make_grid(train_images[:64], nrow=8)
writer.add_image("mnist_images", image_grid)
torchvision.utils.save_image(image_grid, runtime.output_path("mnist_images.png"))
print(f"image grid {tuple(image_grid.shape)} logged, and saved as {runtime.output_path('mnist_images.png')}")

# %% [markdown]
# ## Curves while training
# Lesson 13's network (`FeedForward`), and its training loop, written out so that we can log inside it. Every `log_every` steps we log the
# mean loss and the accuracy of those steps' batches with `add_scalar(tag, value, global_step)` (SCALARS tab);
# the step counts batches across epochs, so the curves continue from one epoch into the next. After each epoch,
# `add_histogram` logs the distribution of every weight tensor (HISTOGRAMS and DISTRIBUTIONS tabs): you can
# watch the weights spread out as the network learns.
#
# This loop clears the gradients *first* (`optimizer.zero_grad()` before `backward()`), as the original lesson
# does; lesson 13 clears them after `step()`. Both orders are right: what matters is that the gradients are
# cleared once between one `backward()` and the next.

# %%
model = FeedForward(input_size=28 * 28, hidden_size=cfg.hidden_size, num_classes=10).to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
logged = {"training loss": [], "accuracy": []}  # (step, value): what we wrote, to compare with TensorBoard
global_step = 0
running_loss, running_correct, running_count = 0.0, 0, 0
for epoch in range(cfg.epochs):
    model.train()
    for images, labels in runtime.progress(train_loader, desc=f"epoch {epoch + 1}"):
        images, labels = images.to(device), labels.to(device)
        outputs = model(images)
        loss = loss_fn(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        global_step += 1
        running_loss += loss.item()
        running_correct += (outputs.argmax(dim=1) == labels).sum().item()
        running_count += len(labels)
        if global_step % cfg.log_every == 0:
            mean_loss, accuracy = running_loss / cfg.log_every, running_correct / running_count
            writer.add_scalar("training loss", mean_loss, global_step)
            writer.add_scalar("accuracy", accuracy, global_step)
            logged["training loss"].append((global_step, mean_loss))
            logged["accuracy"].append((global_step, accuracy))
            running_loss, running_correct, running_count = 0.0, 0, 0
    for name, parameter in model.named_parameters():
        writer.add_histogram(name, parameter, epoch + 1)
    print(f"epoch {epoch + 1}/{cfg.epochs}: step {global_step}, last batch's loss {loss.item():.4f}")

# %% [markdown]
# ## Precision-recall curves on the test digits
# For each digit, treat "is it this digit?" as a yes/no question, answered by the softmax probability of that
# class. Sweeping a threshold over the probabilities traces **precision** (of the images called "7", how many
# are 7s) against **recall** (of the 7s, how many were called "7"). `add_pr_curve(tag, labels, predictions)`
# wants, per test image, the *true* answer (is the label this digit?) and the predicted probability (PR CURVES
# tab). Older versions of this lesson passed the model's *predicted* classes as the true labels — comparing the
# model with itself, which draws curves better than the model really is. The true labels come from the data.

# %%
test_logits, test_targets = engine.predict(model, test_loader, device)
test_probabilities = torch.softmax(test_logits, dim=1)
test_accuracy = (test_logits.argmax(dim=1) == test_targets).float().mean().item()
for digit in range(10):
    writer.add_pr_curve(str(digit), test_targets == digit, test_probabilities[:, digit], global_step=0)
print(f"test accuracy: {test_accuracy:.1%}")

# %% [markdown]
# ## Hyperparameters and the result
# `add_hparams` records the settings of this run next to its result (HPARAMS tab). Log every run this way and
# TensorBoard lays them out as a table and parallel-coordinates plot, to see which settings did best. With
# `run_name="."` the record goes into this run's own folder instead of a new one.

# %%
hyperparameters = {"lr": cfg.lr, "batch_size": cfg.batch_size, "hidden_size": cfg.hidden_size, "epochs": cfg.epochs}
writer.add_hparams(hyperparameters, {"hparam/test_accuracy": test_accuracy}, run_name=".")

# %% [markdown]
# ## Closing the writer, and opening the dashboard
# The writer buffers records and writes them to disk now and then; `close()` writes what is left and closes the
# file. Then start TensorBoard on the `runs` folder and open http://localhost:6006 in a browser.
#
# **Compare two runs**, as in the original lesson: run the lesson again with a ten times larger learning rate,
# `pytorch-tutorial run 16 --set lr=0.01`. It writes `runs/lr=0.01,...` next to this run's folder. In the
# SCALARS tab TensorBoard draws both runs' curves in the same chart, one colour per run (tick the runs on the
# left to show or hide them), and the HPARAMS tab lists both runs with their test accuracy.

# %%
writer.close()
print("open the dashboard with:")
print(f"    tensorboard --logdir {runs_dir}")
print("runs in that folder:", ", ".join(sorted(folder.name for folder in runs_dir.iterdir())))
runtime.report(test_accuracy=test_accuracy, log_dir=str(log_dir))

# %% [markdown]
# ## Going further
# ### The model's graph
# `add_graph` runs the model once on an example batch, records which operations it performs, and logs that
# graph (GRAPHS tab): Linear → ReLU → Linear, with the shapes between them. It records them with
# `torch.jit.trace`, which PyTorch now deprecates in favour of `torch.export`; the warning is about TensorBoard's
# code, not ours, so we silence it. A second writer adds the graph to this run's folder: TensorBoard reads every
# event file in a run's folder.

# %%
import warnings

example_images, _ = next(iter(train_loader))
with SummaryWriter(log_dir=str(log_dir)) as graph_writer, warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=FutureWarning, message=r"`torch\.jit\.trace")
    graph_writer.add_graph(model, example_images.to(device))
print(f"graph of {type(model).__name__} logged to {log_dir}")
