# %% [markdown]
# # Lesson 10 — Transforms
#
# A transform turns a sample into what the model needs: a NumPy row into a tensor, an image into a float tensor
# of a fixed size with normalised values, a random flip that makes the training data more varied. A `Dataset`
# applies it in `__getitem__`, every time a sample is read, so the stored data stays as it was loaded.
#
# First we write our own transforms as small classes and chain them with `Compose`, on the wine data of
# lesson 9. Then we use torchvision's ready-made image transforms (the `torchvision.transforms.v2` API) on a
# photo.

# %%
import numpy as np
import torch
from sklearn.datasets import load_sample_image
from torch.utils.data import Dataset
from torchvision.transforms import v2

from pytorch_tutorial import runtime
from pytorch_tutorial.data import wine

cfg = runtime.settings(
    factor=2.0, image_size=runtime.between(224, 16, 1024), photo=runtime.one_of("china.jpg", "flower.jpg")
)

# %% [markdown]
# ## A dataset that takes a transform
# Lesson 9's `WineDataset` with two changes: it keeps the NumPy arrays as loaded (no tensors yet), and it takes
# a `transform`, which `__getitem__` applies to the sample (features, label) if one was given.

# %%


class WineDataset(Dataset):
    def __init__(self, transform=None):
        xy = np.loadtxt(wine.PATH, delimiter=",", dtype=np.float32, skiprows=1)
        self.x = xy[:, 1:]  # NumPy, not converted to a tensor here
        self.y = xy[:, 0].astype(np.int64) - 1  # classes 0, 1, 2
        self.n_samples = xy.shape[0]
        self.transform = transform

    def __getitem__(self, index):
        sample = self.x[index], self.y[index]
        if self.transform:
            sample = self.transform(sample)
        return sample

    def __len__(self):
        return self.n_samples


dataset = WineDataset()
features, label = dataset[0]
print(f"without a transform: {type(features).__name__} {features[:3]}, label {label!r}")

# %% [markdown]
# ## Transforms as classes with `__call__`
# A transform is anything that can be called on a sample; a class can also keep parameters (the factor).
#
# - `ToTensor` turns the features, a NumPy array, into a tensor with `torch.from_numpy`, which **shares memory**
#   with the array (lesson 2). The label is a single NumPy integer, not an array, and `from_numpy` takes arrays
#   only: `torch.tensor(label)` makes it a 0-d int64 tensor.
# - `MulTransform` multiplies the features by a factor. It returns `features * factor`, a new tensor. The
#   original course writes `features *= factor`, which multiplies *in place*: through the shared memory that
#   changes the dataset's own array, and every read of the same item comes back bigger ('Going further' tries
#   it).

# %%


class ToTensor:
    def __call__(self, sample):
        features, label = sample
        return torch.from_numpy(features), torch.tensor(label)


class MulTransform:
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, sample):
        features, label = sample
        return features * self.factor, label


dataset = WineDataset(transform=ToTensor())
features, label = dataset[0]
print(f"ToTensor: {type(features).__name__} {features[:3]}, label {label!r}")

# %% [markdown]
# ## Chaining with `Compose`
# `v2.Compose([a, b])` is a transform that calls `a`, then `b` on its result. Reading the same item twice must
# give the same values.

# %%
composed = v2.Compose([ToTensor(), MulTransform(cfg.factor)])
dataset = WineDataset(transform=composed)
first_read, _ = dataset[0]
second_read, _ = dataset[0]
item_unchanged = torch.equal(first_read, second_read)
print(f"ToTensor, then MulTransform({cfg.factor}): {first_read[:3]}")
print(f"read twice, the same values: {item_unchanged}; the stored row is unchanged: {dataset.x[0][:3]}")

# %% [markdown]
# ## torchvision's transforms on a photo
# For images torchvision has the transforms ready-made. They work on tensors of shape (channels, height,
# width): `v2.ToImage()` turns a NumPy array (height, width, channels) or a PIL image into one, still uint8
# (0–255). It returns a `tv_tensors.Image`, a tensor marked as an image so that the v2 transforms know how to
# treat it. A typical pipeline for an image network, one step at a time:
#
# - `Resize(224)`: the shorter side becomes 224 pixels, the aspect ratio is kept;
# - `CenterCrop(224)`: the 224 × 224 middle (networks trained on ImageNet, lesson 15, are usually given
#   `Resize(256)` and then `CenterCrop(224)`, which cuts off a small border as well);
# - `RandomHorizontalFlip(p)`: a mirror image with probability p, a *data augmentation* for training (here
#   p = 1, so that the figure shows it);
# - `ToDtype(torch.float32, scale=True)`: float values, scaled from 0–255 to 0–1;
# - `Normalize(mean, std)`: per channel `(x − mean) / std`, with ImageNet's means and standard deviations.
#
# The photo comes with scikit-learn (`load_sample_image`): "china.jpg" (a temple) or "flower.jpg".

# %%
photo = load_sample_image(cfg.photo).copy()  # NumPy uint8 (height, width, 3); a writable copy for torch
image = v2.ToImage()(photo)
print(f"photo {cfg.photo}: NumPy {photo.shape} {photo.dtype} -> image tensor {tuple(image.shape)} {image.dtype}")

resize = v2.Resize(cfg.image_size)
crop = v2.CenterCrop(cfg.image_size)
flip = v2.RandomHorizontalFlip(p=1.0)
to_float = v2.ToDtype(torch.float32, scale=True)
normalize = v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])  # ImageNet's, per channel

resized = resize(image)
cropped = crop(resized)
flipped = flip(cropped)
scaled = to_float(flipped)
normalized = normalize(scaled)
print(f"Resize: {tuple(resized.shape)}, CenterCrop: {tuple(cropped.shape)}, flipped: {tuple(flipped.shape)}")
print(f"ToDtype: {scaled.dtype}, values in [{scaled.min():.3f}, {scaled.max():.3f}]")
print(f"Normalize: channel means {normalized.mean(dim=(1, 2))}")

# %% [markdown]
# In a `Dataset` the steps go into one `Compose`, which does the same in one call:

# %%
pipeline = v2.Compose([resize, crop, flip, to_float, normalize])
transformed = pipeline(image)
print(
    f"the whole pipeline as one Compose: {tuple(transformed.shape)}, the same: {torch.equal(transformed, normalized)}"
)

# %% [markdown]
# ## Before and after
# matplotlib shows NumPy arrays of shape (height, width, channels): `permute(1, 2, 0)` puts the channels last and
# `.numpy()` converts. A normalised image has values around 0, some negative; to show it we stretch it back to
# [0, 1] (its colours shift: each channel was centred on ImageNet's mean, not on this photo's).

# %%
shown_normalized = (normalized - normalized.min()) / (normalized.max() - normalized.min())
pictures = [image, resized, cropped, flipped, scaled, shown_normalized]
titles = ["original", "Resize", "CenterCrop", "RandomHorizontalFlip", "ToDtype", "Normalize (stretched to show it)"]
plt = runtime.pyplot()
fig, axes = plt.subplots(2, 3, figsize=(11, 6.5))
for ax, title, picture in zip(axes.flat, titles, pictures, strict=True):
    ax.imshow(picture.permute(1, 2, 0).numpy())
    ax.set_title(f"{title} {tuple(picture.shape)}", fontsize=9)
    ax.axis("off")
runtime.save_figure(fig, "transforms.png")

# %%
runtime.report(
    item_unchanged=item_unchanged,
    scaled_first_feature=first_read[0].item(),
    image_shape=list(transformed.shape),
    scaled_range=[scaled.min().item(), scaled.max().item()],
)

# %% [markdown]
# ## Going further
#
# ### The original course's `MulTransform`: multiplying in place
# The original course's `MulTransform` writes `features *= factor`. That multiplies in place, into the stored
# array itself through the memory `from_numpy` shares with it, so each read of the same item multiplies the
# values again.

# %%


class InPlaceMulTransform(MulTransform):
    def __call__(self, sample):
        features, label = sample
        features *= self.factor  # writes into the dataset's own array
        return features, label


broken = WineDataset(transform=v2.Compose([ToTensor(), InPlaceMulTransform(cfg.factor)]))
broken_reads = []
for _ in range(3):  # three reads of the same item
    features, label = broken[0]
    broken_reads.append(features[0].item())
print(f"in-place transform, the first feature on three reads: {broken_reads}")
runtime.report(in_place_reads=broken_reads)

# %% [markdown]
# ### `v2.Lambda`: a function as a transform
# torchvision's datasets take a `transform` for the image and a `target_transform` for the label. `v2.Lambda`
# wraps any function as a transform; a common use turns a class index into a one-hot vector (lesson 11).

# %%
import torch.nn.functional as F

to_one_hot = v2.Lambda(lambda label: F.one_hot(torch.tensor(label), num_classes=3))
one_hot_label = to_one_hot(2)
print(f"v2.Lambda one-hot: class 2 -> {one_hot_label}")

# %% [markdown]
# ### Data augmentation: a new version of the photo on every read
# Random transforms draw new parameters on every call, so each epoch sees slightly different training images:
# a random crop of random size and shape, resized to 224 × 224; a flip half of the time; a random change of
# brightness. It makes a network harder to overfit (it cannot memorise the exact pixels). For testing, use the
# fixed pipeline above.

# %%
augment = v2.Compose(
    [
        v2.RandomResizedCrop(cfg.image_size),
        v2.RandomHorizontalFlip(p=0.5),
        v2.ColorJitter(brightness=0.4),
    ]
)
augmented = [augment(image) for _ in range(4)]
fig, axes = plt.subplots(1, 4, figsize=(12, 3.4))
for number, (ax, picture) in enumerate(zip(axes, augmented, strict=True), start=1):
    ax.imshow(picture.permute(1, 2, 0).numpy())
    ax.set_title(f"read {number}", fontsize=9)
    ax.axis("off")
runtime.save_figure(fig, "augmented.png")
