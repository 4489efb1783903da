# %% [markdown]
# # Lesson 22 — Learning-rate schedulers
#
# The learning rate is the size of each step the optimizer takes (lesson 5). Early in training, large steps get
# the weights quickly to a good region; late in training, the same large steps jump around the bottom of the
# valley instead of settling into it. A **learning-rate scheduler** changes the rate as training goes on.
# `torch.optim.lr_scheduler` has many; we look at eight of them, the rule for when to call them, and then what one
# does for lesson 13's network.

# %%
import copy
import warnings

import torch
from torch import nn
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, TensorDataset
from torchvision.transforms import v2

from pytorch_tutorial import runtime
from pytorch_tutorial.data import mnist
from pytorch_tutorial.models import FeedForward

cfg = runtime.settings(epochs=runtime.between(5, 1, 1000), batch_size=100, lr=0.2)
device = runtime.device()
print(f"computing on {device}")

# %% [markdown]
# ## Where the learning rate lives
# An optimizer keeps its learning rate in `optimizer.param_groups[0]["lr"]`. A scheduler wraps the optimizer
# and, each time we call `scheduler.step()`, writes the next rate there. The rule: call `optimizer.step()`
# first, then `scheduler.step()` — once per epoch for most schedulers.
#
# `learning_rates` records the rate a scheduler sets for each of 20 epochs. It has no model to train: one
# zero tensor stands in for the weights, and the comment marks where an epoch of training would go.


# %%
def sgd():  # plain SGD at 0.1 for one stand-in weight
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


def learning_rates(scheduler, steps=20):
    rates = []
    for _ in range(steps):
        rates.append(scheduler.optimizer.param_groups[0]["lr"])
        scheduler.optimizer.step()  # one epoch of training would go here, ending with optimizer.step()
        scheduler.step()  # then the scheduler sets the next epoch's rate
    return rates


rates = {}
# LambdaLR: lr = 0.1 * factor(epoch); here a warm-up that grows to the full rate over 5 epochs
rates["LambdaLR"] = learning_rates(lr_scheduler.LambdaLR(sgd(), lr_lambda=lambda epoch: min(1.0, (epoch + 1) / 5)))
# MultiplicativeLR: each epoch, the current rate times factor(epoch)
rates["MultiplicativeLR"] = learning_rates(lr_scheduler.MultiplicativeLR(sgd(), lr_lambda=lambda epoch: 0.95))
# StepLR: times gamma every step_size epochs
rates["StepLR"] = learning_rates(lr_scheduler.StepLR(sgd(), step_size=5, gamma=0.5))
# MultiStepLR: times gamma at each milestone
rates["MultiStepLR"] = learning_rates(lr_scheduler.MultiStepLR(sgd(), milestones=[8, 14], gamma=0.2))
# ExponentialLR: times gamma every epoch
rates["ExponentialLR"] = learning_rates(lr_scheduler.ExponentialLR(sgd(), gamma=0.8))
# CosineAnnealingLR: half a cosine from 0.1 down to eta_min over T_max epochs
rates["CosineAnnealingLR"] = learning_rates(lr_scheduler.CosineAnnealingLR(sgd(), T_max=20, eta_min=0.005))
# OneCycleLR: up to max_lr and down again, changed after every batch (here 10 batches per epoch)
rates["OneCycleLR"] = learning_rates(lr_scheduler.OneCycleLR(sgd(), 0.1, epochs=20, steps_per_epoch=10), steps=200)
for name, values in rates.items():  # OneCycleLR has 10 values per epoch, the others 1
    print(f"{name:<18} epochs 0, 5, 10, 15: " + ", ".join(f"{lr:.4f}" for lr in values[:: len(values) // 4]))

# %% [markdown]
# `ReduceLROnPlateau` does not count epochs: it watches a number we give it, usually the validation loss, and
# multiplies the rate by `factor` when that number has not improved for more than `patience` epochs. Here the
# made-up loss falls to 0.3 by epoch 5 and then stays flat.

# %%
validation_losses = [max(0.3, 1 - 0.15 * epoch) for epoch in range(20)]
plateau = lr_scheduler.ReduceLROnPlateau(sgd(), factor=0.5, patience=2)
rates["ReduceLROnPlateau"] = []
for loss in validation_losses:
    rates["ReduceLROnPlateau"].append(plateau.optimizer.param_groups[0]["lr"])
    plateau.optimizer.step()
    plateau.step(loss)  # the scheduler is given the epoch's validation loss
for epoch, (loss, lr) in enumerate(zip(validation_losses[:14], rates["ReduceLROnPlateau"], strict=False)):
    print(f"epoch {epoch:>2}: validation loss {loss:.2f}, learning rate {lr:.4f}")

# %%
plt = runtime.pyplot()
fig, axes = plt.subplots(2, 4, figsize=(14, 5.5), sharey=True)
for ax, (name, values) in zip(axes.flat, rates.items(), strict=True):
    ax.plot([step * 20 / len(values) for step in range(len(values))], values, ".-" if len(values) == 20 else "-")
    ax.set_title(name)
    ax.set_xlabel("epoch")
fig.suptitle("The learning rate of each scheduler over 20 epochs, starting from 0.1")
fig.tight_layout()
runtime.save_figure(fig, "schedules.png")

# %% [markdown]
# ## The order matters
# Call `scheduler.step()` before `optimizer.step()` and every epoch trains with the rate meant for the next one:
# the schedule's first value is skipped. PyTorch notices and warns, once. Here we catch the warning to print it:

# %%
scheduler = lr_scheduler.StepLR(sgd(), step_size=5, gamma=0.5)
wrong_order = []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(20):
        scheduler.step()  # wrong: before the epoch's optimizer.step()
        wrong_order.append(scheduler.optimizer.param_groups[0]["lr"])
        scheduler.optimizer.step()
print(f"PyTorch warns: {caught[0].message}")
print(f"StepLR rates of epochs 0-6, right order: {rates['StepLR'][:7]}")
print(f"StepLR rates of epochs 0-6, wrong order: {wrong_order[:7]}")

# %% [markdown]
# ## Does a schedule help? Lesson 13's network, three ways
# The network of lesson 13 (784 → 500 → 10, kept in the package as `FeedForward`), trained three times for the
# same `epochs`, each time from the same starting weights on the same batches, with SGD with momentum 0.9. The
# largest rate is the same in all three, `lr`:
#
# 1. the constant rate `lr`;
# 2. `CosineAnnealingLR` from `lr` towards 0 over the epochs (`T_max=epochs`), stepped once per epoch;
# 3. `OneCycleLR` from `lr`/25 up to `lr` and down to almost 0, stepped after every batch (it also moves the
#    momentum between 0.85 and 0.95, against the rate).

# %%
train_images, train_labels = mnist.tensors(train=True)
test_images, test_labels = mnist.tensors(train=False)
normalize = v2.Normalize(mean=[0.1307], std=[0.3081])
train_dataset = TensorDataset(normalize(train_images), train_labels)
initial_model = FeedForward(input_size=28 * 28, hidden_size=500, num_classes=10)


def train_and_test(schedule):
    model = copy.deepcopy(initial_model).to(device)  # every run starts from the same weights
    train_loader = DataLoader(train_dataset, batch_size=cfg.batch_size, shuffle=True, generator=runtime.generator())
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)
    if schedule == "cosine":
        scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
    if schedule == "one-cycle":
        scheduler = lr_scheduler.OneCycleLR(optimizer, cfg.lr, epochs=cfg.epochs, steps_per_epoch=len(train_loader))
    loss_fn = nn.CrossEntropyLoss()
    batch_rates = []
    for epoch in range(cfg.epochs):
        model.train()
        for images, labels in runtime.progress(train_loader, desc=f"{schedule}, epoch {epoch + 1}"):
            loss = loss_fn(model(images.to(device)), labels.to(device))
            loss.backward()
            batch_rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            optimizer.zero_grad()
            if schedule == "one-cycle":
                scheduler.step()  # after every batch
        if schedule == "cosine":
            scheduler.step()  # after every epoch
    model.eval()
    with torch.no_grad():
        predicted = model(normalize(test_images).to(device)).argmax(dim=1)
    return (predicted == test_labels.to(device)).float().mean().item(), batch_rates


test_accuracy, batch_rates = {}, {}
for schedule in ("constant", "cosine", "one-cycle"):
    test_accuracy[schedule], batch_rates[schedule] = train_and_test(schedule)
print(f"{'schedule':<10} {'test accuracy':>14}   ({cfg.epochs} epochs, SGD with momentum, largest rate {cfg.lr})")
for schedule, accuracy in test_accuracy.items():
    print(f"{schedule:<10} {accuracy:>14.2%}")

# %% [markdown]
# A rate of 0.2 (with momentum) learns fast, but kept up to the end it keeps the weights jumping around the
# bottom of the valley: the constant run ends a few points behind. Both schedules end with small steps, so the
# weights settle, and both beat it on the test digits: a schedule gets both the large steps early and the small
# ones late. (With smaller steps everywhere, `--set lr=0.05`, the three runs end close together.)

# %%
runtime.report(test_accuracy=test_accuracy)

# %% [markdown]
# ## Going further
#
# ### The rates the three runs used
# Each run recorded the learning rate of every batch (`batch_rates`): constant, the cosine's staircase (it
# changes once per epoch) and the one cycle's smooth curve (it changes after every batch).

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for schedule, values in batch_rates.items():
    ax.plot(values, label=f"{schedule}: {test_accuracy[schedule]:.1%} test accuracy")
ax.set_xlabel("batch")
ax.set_ylabel("learning rate")
ax.set_title("The learning rate of each run")
ax.legend()
runtime.save_figure(fig, "runs.png")
