# %% [markdown]
# # Lesson 14 — A convolutional neural network
#
# The feed-forward network of lesson 13 flattens an image into 784 unrelated numbers: it has to learn separately
# that a stroke in the top-left corner and the same stroke one pixel to the right mean the same thing. A
# **convolutional** layer slides small windows of weights (kernels, or filters) over the image, so the same
# few weights look for the same pattern everywhere. Here we build LeNet, the classic convolutional network:
#
# conv 5x5 (6 filters) → ReLU → max-pool 2x2 → conv 5x5 (16 filters) → ReLU → max-pool 2x2 → 120 → 84 → 10

# %%
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision.transforms import v2
from torchvision.utils import make_grid

from pytorch_tutorial import checkpoint, engine, runtime
from pytorch_tutorial.data import cifar10, mnist

cfg = runtime.settings(epochs=10, batch_size=32, lr=0.1, dataset=runtime.one_of("mnist", "cifar10"))
device = runtime.device()
print(f"computing on {device}")

# %% [markdown]
# ## The data
# LeNet was designed for 32x32 images. MNIST digits are 28x28 with an empty border, so we pad each side with 2
# pixels of background (`v2.Pad(2)`) and then normalise, as in lesson 13.

# %%
if cfg.dataset == "mnist":
    classes = [str(digit) for digit in range(10)]
    mean, std = mnist.MEAN, mnist.STD  # 0.1307 and 0.3081, as in lesson 13
    prepare = v2.Compose([v2.Pad(2), v2.Normalize(mean=[mean], std=[std])])
    train_images, train_labels = mnist.tensors(train=True)
    test_images, test_labels = mnist.tensors(train=False)

# %% [markdown]
# With `--full-data --set dataset=cifar10` the cell above does nothing and this one loads CIFAR-10 instead, the
# data set of the original course: colour photos of 32x32 pixels in ten classes (plane, car, bird, cat, …), so
# three input channels instead of one and no padding. That is a much harder task: this small network gets far
# fewer photos right than digits. Every cell after this one works for both.

# %%
if cfg.dataset == "cifar10":
    classes = list(cifar10.CLASSES)
    mean, std = list(cifar10.MEAN), list(cifar10.STD)
    prepare = v2.Normalize(mean=mean, std=std)
    train_images, train_labels = cifar10.tensors(train=True)
    test_images, test_labels = cifar10.tensors(train=False)

# %%
train_dataset = TensorDataset(prepare(train_images), train_labels)
test_dataset = TensorDataset(prepare(test_images), test_labels)
train_loader = DataLoader(train_dataset, batch_size=cfg.batch_size, shuffle=True, generator=runtime.generator())
test_loader = DataLoader(test_dataset, batch_size=cfg.batch_size, shuffle=False)
in_channels = train_images.shape[1]
print(f"{cfg.dataset}: {len(train_dataset)} training and {len(test_dataset)} test images")

plt = runtime.pyplot()
fig, ax = plt.subplots(figsize=(10, 2))
grid = make_grid(train_images[:8], nrow=8, pad_value=1)  # 8 images side by side in one picture
ax.imshow(grid.permute(1, 2, 0))  # (channels, height, width) -> (height, width, channels) for matplotlib
ax.set_title("labels, left to right: " + "   ".join(classes[label] for label in train_labels[:8]))
ax.axis("off")
runtime.save_figure(fig, "sample_images.png")

# %% [markdown]
# ## The model
# The first convolution turns 1 channel (3 for colour) into 6 feature maps, the second turns those 6 into 16.
# After the second pooling, 16 maps of 5x5 values are flattened with `view` into 16·5·5 = 400 numbers per image
# for the fully connected layers, which end, as in lesson 13, in one raw score per class. One pooling layer
# serves both times: it has no weights.


# %%
class LeNet(nn.Module):
    """conv 5x5 (6) → pool → conv 5x5 (16) → pool → 120 → 84 → num_classes scores, for 32x32 images."""

    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, kernel_size=5)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))  # (batch, 6, 14, 14)
        x = self.pool(self.relu(self.conv2(x)))  # (batch, 16, 5, 5)
        x = x.view(-1, 16 * 5 * 5)  # flatten: (batch, 400)
        x = self.relu(self.fc1(x))  # (batch, 120)
        x = self.relu(self.fc2(x))  # (batch, 84)
        return self.fc3(x)  # logits (batch, num_classes)


model = LeNet(in_channels=in_channels, num_classes=len(classes)).to(device)
print(model)

# %% [markdown]
# ## How big is a layer's output?
# A window of `kernel` pixels that moves `stride` pixels at a time over an input of `size` pixels, padded with
# `padding` pixels of zeros on each side, fits
#
# output = (size − kernel + 2·padding) / stride + 1
#
# times along each side (rounded down when the division is not exact). The same formula holds for a convolution
# and for pooling: a 5x5 kernel with stride 1 and no padding takes 32 pixels to (32 − 5 + 2·0)/1 + 1 = 28, a 2x2
# max-pool with stride 2 takes 28 to (28 − 2 + 2·0)/2 + 1 = 14. Let us follow one image through the layers and
# compare the formula with the shapes that really come out. (ReLU works on each value alone, so it does not
# change the shape.)

# %%
x = train_dataset.tensors[0][:1].to(device)  # a batch of one image
print(f"input:     {tuple(x.shape)}")
x = model.conv1(x)
print(f"conv1:     {tuple(x.shape)}   formula: (32 - 5 + 2*0)/1 + 1 = {(32 - 5 + 2 * 0) // 1 + 1}")
x = model.pool(x)
print(f"pool:      {tuple(x.shape)}   formula: (28 - 2 + 2*0)/2 + 1 = {(28 - 2 + 2 * 0) // 2 + 1}")
x = model.conv2(x)
print(f"conv2:     {tuple(x.shape)}   formula: (14 - 5 + 2*0)/1 + 1 = {(14 - 5 + 2 * 0) // 1 + 1}")
x = model.pool(x)
print(f"pool:      {tuple(x.shape)}   formula: (10 - 2 + 2*0)/2 + 1 = {(10 - 2 + 2 * 0) // 2 + 1}")
print(f"flattened: {tuple(x.view(-1, 16 * 5 * 5).shape)}")

# %% [markdown]
# ## Training
# The loop is the one we wrote out in lesson 13 — forward pass, loss, backward pass, optimizer step, zeroing the
# gradients — now promoted into the package as `engine.train_epoch(model, loader, loss_fn, optimizer, device)`,
# which returns the epoch's mean loss. The optimizer is plain stochastic gradient descent, as in the original
# course: each step moves every weight by `lr` times its gradient.

# %%
kernels_before = model.conv1.weight.detach().cpu().clone()  # kept for "Going further"
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)

epoch_losses = []
start = time.perf_counter()
for epoch in range(cfg.epochs):
    epoch_losses.append(engine.train_epoch(model, train_loader, loss_fn, optimizer, device, f"epoch {epoch + 1}"))
    print(f"epoch {epoch + 1}/{cfg.epochs}: mean training loss {epoch_losses[-1]:.4f}")
train_seconds = time.perf_counter() - start

# %% [markdown]
# ## Accuracy, overall and per class
# `engine.predict` runs the model in evaluation mode without gradients over the test split and returns all
# logits and labels, in order. The accuracy of one class is counted from the test images of that class.
#
# The original course counted per class inside the batch loop, with `for i in range(batch_size): label =
# labels[i]`. That assumes every batch holds exactly `batch_size` images, which is only true when the batch size
# divides the number of test images: otherwise the last batch is smaller and the loop fails with an
# `IndexError`. Counting from the collected predictions works for any batch size.

# %%
test_logits, test_targets = engine.predict(model, test_loader, device)
test_predictions = test_logits.argmax(dim=1)
test_accuracy = (test_predictions == test_targets).float().mean().item()
print(f"accuracy on {len(test_targets)} test images: {test_accuracy:.2%}")

per_class_accuracy = {}
for index, name in enumerate(classes):
    of_this_class = test_targets == index  # True for the test images of this class
    per_class_accuracy[name] = (test_predictions[of_this_class] == index).float().mean().item()
    print(f"  {name:>10}: {per_class_accuracy[name]:.1%}")

# %% [markdown]
# ## Saving the trained model
# The weights (`state_dict`) are saved with what is needed to use them again: the architecture, the input size
# and the normalisation. `pytorch-tutorial predict my_digit.png` loads this file to read your own handwriting.
# `checkpoint.save_atomic` is `torch.save` (lesson 17) that never leaves a half-written file and refuses weights
# spoilt by a diverged training.

# %%
saved = {
    "arch": "LeNet",
    "in_channels": in_channels,
    "num_classes": len(classes),
    "input_size": 32,
    "mean": mean,
    "std": std,
    "state_dict": model.state_dict(),
}
model_path = checkpoint.save_atomic(saved, runtime.output_path(f"lenet_{cfg.dataset}.pt"))
print(f"saved the trained model: {model_path}")

# %%
runtime.report(
    test_accuracy=test_accuracy, per_class_accuracy=per_class_accuracy, train_seconds=round(train_seconds, 2)
)

# %% [markdown]
# ## Going further
#
# ### The formula for every layer, read from the layers themselves
# Each layer keeps its kernel size, padding and stride; `layer_geometry` reads them, `conv_output_size` applies
# the formula (exercise 14.1 asks you to write it), and the tensor that really comes out confirms each size.

# %%
from pytorch_tutorial.shapes import conv_output_size, layer_geometry  # noqa: E402

x = train_dataset.tensors[0][:1].to(device)
size = x.shape[-1]
layer_sizes = []
for name, layer in [("conv1", model.conv1), ("pool", model.pool), ("conv2", model.conv2), ("pool", model.pool)]:
    kernel, padding, stride = layer_geometry(layer)
    new_size = conv_output_size(size, kernel, padding, stride)
    x = layer(x)
    print(f"{name:<6} ({size} - {kernel} + 2*{padding})/{stride} + 1 = {new_size:>2}   PyTorch: {tuple(x.shape)}")
    layer_sizes.append((name, new_size, tuple(x.shape)))
    size = new_size
print(f"flattened: {x.flatten(start_dim=1).shape[1]} = 16 * {size} * {size} features for fc1")

# %% [markdown]
# ### What kind of filter does a convolutional layer use?
# None that anybody chose. A convolutional layer's kernels are weights like any other: PyTorch starts them as
# small random numbers, and gradient descent shapes them to whatever helps to lower the loss. Here are the first
# layer's six 5x5 kernels before and after training, all on one colour scale (red = positive weight, blue =
# negative, white = 0; for colour images the three channels are shown as a colour picture, grey = 0).

# %%
kernels_after = model.conv1.weight.detach().cpu().clone()


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
# After training most of them have grown and become smoother, with positive and negative regions side by side —
# the correlation of neighbouring weights is clearly positive. A kernel with a red band next to a blue band
# responds most where the image changes from dark to bright across that direction: an **edge detector** for one
# orientation. Nobody wrote "detect edges" into the network; detecting stroke edges simply turned out to help
# classify digits. (Run with another `--seed` and you get other kernels — of the same kinds.)
#
# ### What the filters see
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
shown = test_images[digit_index].permute(1, 2, 0).squeeze()  # the image before normalising
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
