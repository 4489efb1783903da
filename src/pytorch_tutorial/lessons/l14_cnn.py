# %% [markdown]
# # Lesson 14 — A convolutional neural network
#
# The feed-forward network of lesson 13 flattens an image into 784 unrelated numbers: it has to learn separately
# that a stroke in the top-left corner and the same stroke one pixel to the right mean the same thing. A
# **convolutional** layer slides small windows of weights (kernels, or filters) over the image, so the same
# few weights look for the same pattern everywhere. Here we build LeNet, the classic convolutional network:
#
# conv 5x5 (6 filters) → ReLU → max-pool 2x2 → conv 5x5 (16 filters) → ReLU → max-pool 2x2 → 120 → 84 → 10
#
# and we answer a question beginners often ask — *what kind of filter does the convolutional layer use?* — by
# looking at the filters themselves.

# %%
import inspect
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision.transforms import v2

from pytorch_tutorial import checkpoint, engine, runtime
from pytorch_tutorial.data import cifar10, mnist
from pytorch_tutorial.models import LeNet
from pytorch_tutorial.shapes import conv_output_size, layer_geometry

cfg = runtime.settings(epochs=10, batch_size=32, lr=0.02, momentum=0.9, dataset=runtime.one_of("mnist", "cifar10"))
device = runtime.device()
print(f"computing on {device}")

# %% [markdown]
# ## How big is a layer's output?
# A window of `kernel` pixels that moves `stride` pixels at a time over an input of `size` pixels, padded with
# `padding` pixels of zeros on each side, fits
#
# output = (size − kernel + 2·padding) / stride + 1
#
# times along each side (rounded down when the division is not exact). The same formula holds for a convolution
# and for pooling. For a 32x32 image and a 5x5 kernel with stride 1 and no padding, and then a 2x2 max-pool with
# stride 2:

# %%
print(f"conv 5x5:     (32 - 5 + 2*0)/1 + 1 = {conv_output_size(32, kernel=5, padding=0, stride=1)}")
print(f"max-pool 2x2: (28 - 2 + 2*0)/2 + 1 = {conv_output_size(28, kernel=2, padding=0, stride=2)}")

# %% [markdown]
# ## The data
# LeNet was designed for 32x32 images. MNIST digits are 28x28 with an empty border, so we pad each side with 2
# pixels of background (`v2.Pad(2)`) and then normalise, as in lesson 13. With `--full-data --set
# dataset=cifar10` the same network learns CIFAR-10 instead: colour photos of 32x32 pixels in ten classes
# (plane, car, bird, cat, …), three input channels instead of one. That is a much harder task: expect about
# 60 % accuracy from this small network instead of 98 %.

# %%
if cfg.dataset == "mnist":
    mean, std = [mnist.MEAN], [mnist.STD]
    classes = [str(digit) for digit in mnist.CLASSES]
    prepare = v2.Compose([v2.Pad(2), v2.Normalize(mean=mean, std=std)])
    train_images, train_labels = mnist.tensors(train=True)
    test_images, test_labels = mnist.tensors(train=False)
else:
    mean, std = list(cifar10.MEAN), list(cifar10.STD)
    classes = list(cifar10.CLASSES)
    prepare = v2.Normalize(mean=mean, std=std)
    train_images, train_labels = cifar10.tensors(train=True)
    test_images, test_labels = cifar10.tensors(train=False)

train_dataset = TensorDataset(prepare(train_images), train_labels)
test_dataset = TensorDataset(prepare(test_images), test_labels)
train_loader = DataLoader(train_dataset, batch_size=cfg.batch_size, shuffle=True, generator=runtime.generator())
test_loader = DataLoader(test_dataset, batch_size=cfg.batch_size, shuffle=False)
in_channels, input_size = train_dataset.tensors[0].shape[1], train_dataset.tensors[0].shape[-1]
print(f"{cfg.dataset}: {len(train_dataset)} training and {len(test_dataset)} test images")
print(f"one image: {in_channels} channel(s) of {input_size}x{input_size} pixels")

# %% [markdown]
# ## The model
# Like `FeedForward`, the network is a class in the package, `pytorch_tutorial.models.LeNet`. The first
# convolution turns 1 channel (3 for colour) into 6 feature maps, the second turns those 6 into 16. After the
# second pooling, 16 maps of 5x5 values are flattened into 400 numbers for the fully connected layers.

# %%
print(inspect.getsource(LeNet))
model = LeNet(in_channels=in_channels, num_classes=len(classes)).to(device)

# %% [markdown]
# Let us follow one image through the convolution and pooling layers: the formula predicts each output size,
# and the tensor that really comes out of the layer confirms it. (ReLU works on each value alone, so it does not
# change the shape.)

# %%
x = train_dataset.tensors[0][:1].to(device)
size = input_size
layer_sizes = []
print(f"input: {tuple(x.shape)}")
for name, layer in [("conv1", model.conv1), ("pool", model.pool), ("conv2", model.conv2), ("pool", model.pool)]:
    kernel, padding, stride = layer_geometry(layer)
    new_size = conv_output_size(size, kernel, padding, stride)
    x = layer(x)
    print(f"{name:<6} ({size} - {kernel} + 2*{padding})/{stride} + 1 = {new_size:>2}   PyTorch: {tuple(x.shape)}")
    layer_sizes.append((name, new_size, tuple(x.shape)))
    size = new_size
print(f"flattened: {x.flatten(start_dim=1).shape[1]} = 16 * {size} * {size} features for fc1")

# %% [markdown]
# ## Training
# The loop is the one we wrote out in lesson 13 — forward pass, loss, backward pass, optimizer step, zeroing the
# gradients — now promoted into the package as `engine.train_epoch(model, loader, loss_fn, optimizer, device)`.
#
# The optimizer is stochastic gradient descent with **momentum**: each step continues a fraction (0.9) of the
# previous one, which smooths the zig-zag of single batches. A **cosine schedule** lowers the learning rate
# from `lr` to 0 over the epochs: large steps early to learn fast, small steps at the end to settle.
#
# We keep a copy of the first layer's six kernels before training, to compare them afterwards.

# %%
kernels_before = model.conv1.weight.detach().cpu().clone()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs)

epoch_losses = []
start = time.perf_counter()
for epoch in range(cfg.epochs):
    epoch_losses.append(engine.train_epoch(model, train_loader, loss_fn, optimizer, device, f"epoch {epoch + 1}"))
    scheduler.step()
    print(f"epoch {epoch + 1}/{cfg.epochs}: mean training loss {epoch_losses[-1]:.4f}")
train_seconds = time.perf_counter() - start
kernels_after = model.conv1.weight.detach().cpu().clone()
print(f"trained in {train_seconds:.1f} s")

# %% [markdown]
# ## Accuracy, overall and per class
# `engine.predict` runs the model in evaluation mode without gradients over the test split and returns all
# logits and labels; accuracy per class is then counted from all predictions at once.
#
# The original course counted per class inside the batch loop, with `for i in range(batch_size): label =
# labels[i]`. That assumes every batch holds exactly `batch_size` images, which is only true when the batch size
# divides the number of test images: with 1,000 test digits in batches of 32, the last batch has 8 and the
# loop fails with an `IndexError`. Counting from the collected predictions works for any batch size.

# %%
test_logits, test_targets = engine.predict(model, test_loader, device)
test_predictions = test_logits.argmax(dim=1)
test_accuracy = (test_predictions == test_targets).float().mean().item()
class_accuracies = engine.per_class_accuracy(test_predictions, test_targets, num_classes=len(classes))
per_class_accuracy = dict(zip(classes, class_accuracies, strict=True))
print(f"accuracy on {len(test_targets)} test images: {test_accuracy:.2%}")
for name, accuracy in per_class_accuracy.items():
    print(f"  {name:>10}: {accuracy:.1%}")

# %% [markdown]
# ## What kind of filter does a convolutional layer use?
# None that anybody chose. A convolutional layer's kernels are weights like any other: PyTorch starts them as
# small random numbers, and gradient descent shapes them to whatever helps to lower the loss. Here are the first
# layer's six 5x5 kernels before and after training, all on one colour scale (red = positive weight, blue =
# negative, white = 0; for colour images the three channels are shown as a colour picture, grey = 0).

# %%
plt = runtime.pyplot()


def show_kernel(ax, kernel, limit):
    """Draw one kernel (channels, 5, 5) on the colour scale -limit..limit: red/blue for one channel, RGB for three."""
    if kernel.shape[0] == 1:
        ax.imshow(kernel[0].numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        ax.imshow((0.5 + kernel / (2 * limit)).clamp(0, 1).permute(1, 2, 0).numpy())
    ax.set_xticks([])
    ax.set_yticks([])


limit = max(kernels_before.abs().max().item(), kernels_after.abs().max().item())  # one scale for all twelve
fig, axes = plt.subplots(2, 6, figsize=(9, 3.4))
for column in range(6):
    show_kernel(axes[0, column], kernels_before[column], limit)
    show_kernel(axes[1, column], kernels_after[column], limit)
    axes[0, column].set_title(f"filter {column}", fontsize=9)
axes[0, 0].set_ylabel("before")
axes[1, 0].set_ylabel("after")
fig.suptitle("First-layer kernels, before and after training")
runtime.save_figure(fig, "conv1_kernels.png")


def neighbour_correlation(kernels):
    """Mean correlation of horizontally and vertically adjacent weights: ~0 for noise, > 0 for smooth shapes."""
    pairs = [(kernels[..., :, :-1], kernels[..., :, 1:]), (kernels[..., :-1, :], kernels[..., 1:, :])]
    left = torch.cat([a.flatten() for a, _ in pairs])
    right = torch.cat([b.flatten() for _, b in pairs])
    return torch.corrcoef(torch.stack([left, right]))[0, 1].item()


growth = (kernels_after.norm() / kernels_before.norm()).item()
smoothness_before = neighbour_correlation(kernels_before)
smoothness_after = neighbour_correlation(kernels_after)
print(f"size of the six kernels (Euclidean norm): {kernels_before.norm():.2f} before, {kernels_after.norm():.2f} after")
print(f"correlation of neighbouring weights: {smoothness_before:+.2f} before, {smoothness_after:+.2f} after")

# %% [markdown]
# Before training the kernels are salt-and-pepper noise: neighbouring weights are unrelated (correlation near 0).
# After training most of them have grown and become smooth, with positive and negative regions side by side —
# the correlation of neighbouring weights is clearly positive. A kernel with a red band next to a blue band
# responds most where the image changes from dark to bright across that direction: an **edge detector** for one
# orientation. Nobody wrote "detect edges" into the network; detecting stroke edges simply turned out to help
# classify digits. (Run with another `--seed` and you get other kernels — of the same kinds.)
#
# ## What the filters see
# Feature maps show where each filter responds on one test image: the output of each convolution after ReLU
# (bright = strong response, black = none).

# %%
digit_index = 0
digit = test_dataset.tensors[0][digit_index : digit_index + 1].to(device)
with torch.no_grad():
    model.eval()
    conv1_maps = model.relu(model.conv1(digit))
    conv2_maps = model.relu(model.conv2(model.pool(conv1_maps)))
conv1_maps, conv2_maps = conv1_maps[0].cpu(), conv2_maps[0].cpu()
predicted_class = classes[test_predictions[digit_index].item()]
true_class = classes[test_targets[digit_index].item()]
print(f"test image {digit_index}: {true_class}, predicted {predicted_class}")
print(f"conv1: {tuple(conv1_maps.shape)} maps, conv2: {tuple(conv2_maps.shape)} maps")

fig, axes = plt.subplots(3, 8, figsize=(12, 5))
for ax in axes.flat:
    ax.axis("off")
shown = digit[0].cpu()
shown = shown[0] if in_channels == 1 else ((shown - shown.min()) / (shown.max() - shown.min())).permute(1, 2, 0)
axes[0, 0].imshow(shown.numpy(), cmap="gray")
axes[0, 0].set_title(f"input: {true_class}", fontsize=9)
for i, feature_map in enumerate(conv1_maps):
    axes[0, i + 2].imshow(feature_map.numpy(), cmap="magma")
    axes[0, i + 2].set_title(f"conv1 #{i}", fontsize=9)
for i, feature_map in enumerate(conv2_maps):
    axes[1 + i // 8, i % 8].imshow(feature_map.numpy(), cmap="magma")
    axes[1 + i // 8, i % 8].set_title(f"conv2 #{i}", fontsize=9)
fig.suptitle("Feature maps of one test image: conv1 (28x28) in the first row, conv2 (10x10) below")
runtime.save_figure(fig, "feature_maps.png")

# %% [markdown]
# **Reading the feature maps.** Each conv1 map is still recognisably the digit, but each lights up a different
# part of it: some the strokes themselves, others only one side of them — the top, bottom, left or right edges —
# which is what the edge-shaped kernels above predict; a map can even light up the background and stay dark on
# the ink. A map is large exactly where the image looks like its kernel. The sixteen conv2 maps are coarser
# (10x10) and no longer look like the digit: each combines all six conv1 maps and responds to a larger pattern —
# an end of a stroke, a corner, a curve in one place — and some stay almost dark because the pattern they
# learned is not in this image. The fully connected layers then decide from which patterns are present, and
# where.
#
# ## Saving the trained model
# The weights (`state_dict`) are saved with what is needed to use them again: the architecture, the input size
# and the normalisation. `pytorch-tutorial predict my_digit.png` loads this file to read your own handwriting.
# (Lesson 17 is all about saving and loading.)

# %%
model_path = checkpoint.save_atomic(
    {
        "arch": "LeNet",
        "in_channels": 1 if cfg.dataset == "mnist" else 3,
        "num_classes": 10,
        "input_size": 32,
        "mean": mnist.MEAN if cfg.dataset == "mnist" else list(cifar10.MEAN),
        "std": mnist.STD if cfg.dataset == "mnist" else list(cifar10.STD),
        "state_dict": model.state_dict(),
    },
    runtime.output_path(f"lenet_{cfg.dataset}.pt"),
)
print(f"saved the trained model: {model_path}")

# %%
runtime.report(
    test_accuracy=test_accuracy, per_class_accuracy=per_class_accuracy, train_seconds=round(train_seconds, 2)
)
