# %% [markdown]
# # Lesson 15 — Transfer learning
#
# A network trained from random weights needs many labelled examples. **Transfer learning** starts instead from
# a network already trained on a related task — the *source* task — and adapts it to the new one — the
# *target* task — with few examples. The layers that detect edges, strokes and shapes are reused; only what is
# specific to the new classes has to be learned.
#
# The classic example, and the original version of this lesson, takes ResNet-18, trained on the 1.2 million
# photos of ImageNet, and teaches it to tell ants from bees with 244 photos. That needs a 45 MB download and
# the ImageNet weights; it is in "Going further" at the end, and runs with `--full-data`. Here we play the same
# game offline, with digits:
#
# - **source task**: the LeNet of lesson 14, trained on the digits 0–4 only;
# - **target task**: tell the digits 5–9 apart, from only `shots_per_class` (20) labelled images of each.
#
# Three ways to learn the target task, with the same images, optimiser and number of epochs:
#
# 1. **from scratch**: a fresh LeNet with random weights;
# 2. **fine-tuning**: the source network with a new final layer (5 outputs, one per digit 5–9); *all* its
#    weights keep learning;
# 3. **feature extraction**: the source network frozen, only the new final layer learns.

# %%
import copy
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision.datasets import ImageFolder
from torchvision.transforms import v2

from pytorch_tutorial import engine, runtime
from pytorch_tutorial.data import digits_folder, mnist
from pytorch_tutorial.models import LeNet

cfg = runtime.settings(shots_per_class=20, pretrain_epochs=6, epochs=4, batch_size=20, lr=0.01, step_size=3, gamma=0.1)
device = runtime.device()
print(f"computing on {device}")

# %% [markdown]
# ## The target data: a folder of images per class
# The original lesson reads photos from folders named after their class — `train/ants/*.jpg`,
# `train/bees/*.jpg`, `val/ants/*.jpg`, … — which is how most image data sets you collect yourself look.
# `torchvision.datasets.ImageFolder` turns such a tree into a `Dataset`: the class names are the folder names
# (sorted), a label is the position of its class in that list.
#
# One helper call writes our target digits the same way, as PNG files: `train/<digit>/` holds
# `shots_per_class` random training images of each digit 5–9, `val/<digit>/` *all* the test images of the digits
# 5–9 — held out, never seen in training.

# %%
SOURCE_DIGITS = (0, 1, 2, 3, 4)
TARGET_DIGITS = (5, 6, 7, 8, 9)
image_root = digits_folder.write_image_folders(
    runtime.out_dir() / "digits_5_to_9", TARGET_DIGITS, cfg.shots_per_class, seed=runtime.current().seed
)
print(f"image folders: {image_root}/train/<digit>/ and {image_root}/val/<digit>/")

# %% [markdown]
# ## Reading the folders back
# Each image goes through transforms on its way out of the `ImageFolder`: turn it into one grey channel
# (`ImageFolder` opens every file as RGB), then lesson 14's preparation — pad 28x28 to 32x32, normalise with
# MNIST's mean and standard deviation. A pretrained network expects its inputs prepared like the data it was
# trained on.

# %%
to_lenet_input = v2.Compose([v2.Pad(2), v2.Normalize([mnist.MEAN], [mnist.STD])])
transform = v2.Compose(
    [v2.Grayscale(num_output_channels=1), v2.ToImage(), v2.ToDtype(torch.float32, scale=True), to_lenet_input]
)
target_train = ImageFolder(image_root / "train", transform=transform)
target_val = ImageFolder(image_root / "val", transform=transform)
num_classes = len(target_train.classes)  # the folder names, sorted
train_loader = DataLoader(target_train, batch_size=cfg.batch_size, shuffle=True, generator=runtime.generator())
val_loader = DataLoader(target_val, batch_size=256)
image, label = target_train[0]
print(f"classes (from the folder names): {target_train.class_to_idx}")
print(f"{len(target_train)} training and {len(target_val)} validation images; one is {tuple(image.shape)}")
print(f"a run: {cfg.epochs} epochs of {len(train_loader)} batches, {cfg.epochs * len(train_loader)} steps")

# %% [markdown]
# ## The source model
# LeNet learns the digits 0–4 from all the training images of those digits — the source task, with plenty of
# data. We check it on the test digits 0–4.

# %%
loss_fn = nn.CrossEntropyLoss()
train_images, train_labels = mnist.tensors(train=True)
test_images, test_labels = mnist.tensors(train=False)
in_source = train_labels < len(SOURCE_DIGITS)
source_train = TensorDataset(to_lenet_input(train_images[in_source]), train_labels[in_source])
source_loader = DataLoader(source_train, batch_size=64, shuffle=True, generator=runtime.generator())
source_model = LeNet(num_classes=len(SOURCE_DIGITS)).to(device)
optimizer = torch.optim.SGD(source_model.parameters(), lr=cfg.lr, momentum=0.9)
for epoch in range(cfg.pretrain_epochs):
    loss = engine.train_epoch(source_model, source_loader, loss_fn, optimizer, device, desc="source task")
    print(f"source task, epoch {epoch + 1}/{cfg.pretrain_epochs}: loss {loss:.3f}")
in_source = test_labels < len(SOURCE_DIGITS)
source_test = TensorDataset(to_lenet_input(test_images[in_source]), test_labels[in_source])
source_accuracy = engine.evaluate(source_model, DataLoader(source_test, batch_size=256), device)
print(f"trained on {len(source_train)} images of the digits 0-4; held-out test accuracy {source_accuracy:.1%}")
print(f"the source model's final layer: fc3 = {source_model.fc3}")

# %% [markdown]
# ## Training on the target task
# The same loop for all three runs: SGD with momentum, and a **learning-rate scheduler**. `StepLR` multiplies
# the learning rate by `gamma` (0.1) every `step_size` (3) epochs: big steps while far from a good solution,
# small ones to settle in. Call `scheduler.step()` once per epoch, *after* the optimiser's steps. We time each run
# and measure the accuracy on the validation images.

# %%


def train_target(model, parameters, train_loader, val_loader, name):
    """Train ``parameters`` of ``model``; returns (validation accuracy, seconds)."""
    optimizer = torch.optim.SGD(parameters, lr=cfg.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=cfg.step_size, gamma=cfg.gamma)
    start = time.perf_counter()
    for epoch in range(cfg.epochs):
        loss = engine.train_epoch(model, train_loader, loss_fn, optimizer, device, desc=f"{name}, epoch {epoch + 1}")
        print(f"{name}, epoch {epoch + 1}: loss {loss:.3f}")
        scheduler.step()
    seconds = time.perf_counter() - start
    accuracy = engine.evaluate(model, val_loader, device)
    print(f"{name}: validation accuracy {accuracy:.1%} ({seconds:.1f} s)")
    return accuracy, seconds


def count_trainable(model):
    """The number of weights the optimiser may change."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


# %% [markdown]
# ### 1. From scratch
# The same architecture with random weights, learning the target task from its few images alone.

# %%
scratch_model = LeNet(num_classes=num_classes).to(device)
scratch_trainable = count_trainable(scratch_model)
scratch_accuracy, scratch_seconds = train_target(
    scratch_model, scratch_model.parameters(), train_loader, val_loader, "from scratch"
)

# %% [markdown]
# ### 2. Fine-tuning the whole network
# A copy of the source model (`copy.deepcopy`, so the source model itself stays as it is) with a new final
# layer: an `nn.Linear` with as many inputs as the old one (84) and one output per target class. Assigning it
# to `fc3` replaces the old layer. Every weight is trained, starting from what the source task taught.

# %%
finetune_model = copy.deepcopy(source_model)
finetune_model.fc3 = nn.Linear(finetune_model.fc3.in_features, num_classes)
finetune_model = finetune_model.to(device)
finetune_trainable = count_trainable(finetune_model)
finetune_accuracy, finetune_seconds = train_target(
    finetune_model, finetune_model.parameters(), train_loader, val_loader, "fine-tuning"
)

# %% [markdown]
# ### 3. A frozen feature extractor and a new final layer
# `requires_grad = False` freezes a parameter: autograd computes no gradient for it, so no optimiser can change
# it. We freeze everything, *then* replace the final layer — a new layer's parameters require gradients — and
# give the optimiser only the head's parameters. The frozen network turns each image into features; the head
# is a linear classifier on them — lesson 8's logistic regression with one output per class. For LeNet that is
# 425 weights to learn instead of 61,281, and each step is cheaper, since the backward pass stops at the head.

# %%
frozen_model = copy.deepcopy(source_model)
for parameter in frozen_model.parameters():
    parameter.requires_grad = False
frozen_model.fc3 = nn.Linear(frozen_model.fc3.in_features, num_classes)
frozen_model = frozen_model.to(device)
frozen_trainable = count_trainable(frozen_model)
frozen_accuracy, frozen_seconds = train_target(
    frozen_model, frozen_model.fc3.parameters(), train_loader, val_loader, "frozen + new head"
)

# %% [markdown]
# ## The three runs side by side
# With the same few images and the same short budget — 4 epochs of 5 batches, 20 steps — both transfer runs
# clearly beat training from scratch: the source task already taught the network to see strokes and
# shapes, so the target task starts from useful features instead of noise. Fine-tuning adapts those features
# too; the frozen network can only reuse them, and features learned to tell 0–4 apart are not made for 5–9,
# which is why it lags behind fine-tuning.
#
# Transfer learning pays off most when labelled data and training time are short. Digits are an easy task,
# though: give all three a longer budget (`--set epochs=30 --set step_size=20`) and training from scratch catches
# up with fine-tuning and overtakes the frozen network — a hundred images are enough to learn 5–9 from nothing,
# given time.

# %%
runs = {
    "from scratch": (scratch_trainable, scratch_accuracy, scratch_seconds),
    "fine-tuning": (finetune_trainable, finetune_accuracy, finetune_seconds),
    "frozen + new head": (frozen_trainable, frozen_accuracy, frozen_seconds),
}
print(f"{'run':<20} {'trained weights':>15} {'val accuracy':>13} {'seconds':>8}")
for name, (trainable, accuracy, seconds) in runs.items():
    print(f"{name:<20} {trainable:>15,} {accuracy:>13.1%} {seconds:>8.2f}")
runtime.report(
    scratch_accuracy=scratch_accuracy,
    finetune_accuracy=finetune_accuracy,
    frozen_accuracy=frozen_accuracy,
    source_accuracy=source_accuracy,
    seconds={name: round(seconds, 2) for name, (_, _, seconds) in runs.items()},
)

# %% [markdown]
# ## Going further
# ### The original: ResNet-18 and the ants and bees (`--full-data`)
# With `--full-data` the cells below repeat the three runs on the original tutorial's data (and the digits above
# come from the full MNIST); without it they do nothing. The photos are downloaded once into the course's cache.
# ResNet-18 wants 224x224 colour photos normalised with ImageNet's mean and standard deviation per channel. Its
# training photos are also randomly cropped and flipped (augmentation: a new variant of each photo every
# epoch); the validation photos are only resized and centre-cropped.

# %%
from pathlib import Path

from torchvision.models import ResNet18_Weights, resnet18

from pytorch_tutorial.data import download, hymenoptera

full_data = runtime.current().full_data  # True with --full-data
if full_data:
    photos_root = hymenoptera.root()
    imagenet_mean, imagenet_std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    to_float = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(imagenet_mean, imagenet_std)]
    photos_train = ImageFolder(
        photos_root / "train", transform=v2.Compose([v2.RandomResizedCrop(224), v2.RandomHorizontalFlip(), *to_float])
    )
    photos_val = ImageFolder(photos_root / "val", transform=v2.Compose([v2.Resize(256), v2.CenterCrop(224), *to_float]))
    photo_classes = photos_train.classes
    photos_train_loader = DataLoader(
        photos_train, batch_size=cfg.batch_size, shuffle=True, generator=runtime.generator()
    )
    photos_val_loader = DataLoader(photos_val, batch_size=64)
    print(f"classes: {photos_train.class_to_idx}; {len(photos_train)} training, {len(photos_val)} validation photos")

# %% [markdown]
# The source model is ResNet-18 with the ImageNet weights, `ResNet18_Weights.DEFAULT` (the current API;
# `pretrained=True` is deprecated), which torchvision downloads once into `~/.cache/torch`. Its final layer is
# called `fc` (512 features → 1,000 ImageNet classes), so the new head is `model.fc = nn.Linear(512, 2)`. (The
# original lesson trains for 25 epochs with a step every 7: `--set epochs=25 --set step_size=7`, a few minutes on
# a GPU.) One catch when freezing ResNet: its BatchNorm layers keep running averages in *buffers*, not
# parameters, and `model.train()` still updates them. The original tutorial lets them adapt, as we do; to freeze
# them too, put the frozen layers in `eval()` mode during training. ImageNet's features are far more general
# than those of five digits: in the original tutorial the frozen ResNet does about as well as the fine-tuned one.

# %%
if full_data:
    weights_folder = Path(torch.hub.get_dir()) / "checkpoints"
    with download.download_guard("the ResNet-18 ImageNet weights", weights_folder, hymenoptera.OFFLINE_HINT):
        resnet = resnet18(weights=ResNet18_Weights.DEFAULT)
    print(f"ResNet-18's final layer: fc = {resnet.fc}")

    resnet_scratch = resnet18(weights=None, num_classes=len(photo_classes)).to(device)
    resnet_finetune = copy.deepcopy(resnet)
    resnet_finetune.fc = nn.Linear(resnet_finetune.fc.in_features, len(photo_classes))
    resnet_finetune = resnet_finetune.to(device)
    resnet_frozen = copy.deepcopy(resnet)
    for parameter in resnet_frozen.parameters():
        parameter.requires_grad = False
    resnet_frozen.fc = nn.Linear(resnet_frozen.fc.in_features, len(photo_classes))
    resnet_frozen = resnet_frozen.to(device)
    resnet_frozen_trainable = count_trainable(resnet_frozen)

    resnet_results = {}
    for name, model, parameters in (
        ("ResNet-18 from scratch", resnet_scratch, resnet_scratch.parameters()),
        ("ResNet-18 fine-tuning", resnet_finetune, resnet_finetune.parameters()),
        ("ResNet-18 frozen + new head", resnet_frozen, resnet_frozen.fc.parameters()),
    ):
        resnet_results[name], _ = train_target(model, parameters, photos_train_loader, photos_val_loader, name)
    runtime.report(resnet_accuracy=resnet_results)
