# %% [markdown]
# # Lesson 10 — Transforms
#
# A transform turns a sample into what the model needs: a NumPy row into a tensor, an image into a normalised
# float tensor of a fixed size, a random flip to make the training data more varied. A `Dataset` applies it in
# `__getitem__`, every time a sample is read, so the stored data stays as it was loaded.
#
# First we write our own transforms as small callable classes and chain them with `Compose`; then we use
# torchvision's ready-made image transforms (the `torchvision.transforms.v2` API) on a real photo.

# %%
import torch
from sklearn.datasets import load_sample_image
from torch.utils.data import Dataset
from torchvision import tv_tensors
from torchvision.transforms import v2

from pytorch_tutorial import runtime
from pytorch_tutorial.data import wine

cfg = runtime.settings(
    factor=2.0, image_size=runtime.between(224, 16, 1024), photo=runtime.one_of("china.jpg", "flower.jpg")
)

# %% [markdown]
# ## A dataset that takes a transform
# The wine data of lesson 9, but this time the dataset keeps the NumPy arrays as loaded and hands each sample
# — a pair (features, label) — to `transform` if one was given.

# %%


class WineDataset(Dataset):
    """The wine data as NumPy arrays, passed through ``transform`` when an item is read."""

    def __init__(self, transform=None):
        self.features, self.labels = wine.load()  # NumPy: float32 (178, 13), int64 (178,)
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        sample = self.features[index], self.labels[index]
        if self.transform:
            sample = self.transform(sample)
        return sample


raw_features, raw_label = WineDataset()[0]
print(f"without a transform: {type(raw_features).__name__} {raw_features[:3]}, label {raw_label} ({raw_label.dtype})")

# %% [markdown]
# ## Transforms as callable classes
# Any object with a `__call__(sample)` method works as a transform; a class lets it carry parameters (the
# factor). `ToTensor` converts both parts with `torch.from_numpy`, which **shares memory** with the stored
# array (lesson 2) — so the next transform must not change its input in place. `MulTransform` returns
# `features * factor`, a new tensor; `features *= factor` would multiply the dataset's own array, and every
# read of the same item would come back bigger (we try that below).

# %%


class ToTensor:
    """(features, label) as NumPy values -> the same as tensors."""

    def __call__(self, sample):
        features, label = sample
        return torch.from_numpy(features), torch.as_tensor(label)


class MulTransform:
    """Multiplies the features by ``factor``, leaving the label alone."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, sample):
        features, label = sample
        return features * self.factor, label  # a new tensor; the stored data is left alone


dataset = WineDataset(transform=ToTensor())
features, label = dataset[0]
print(f"ToTensor: {type(features).__name__} {features[:3]}, label {label!r}")

# %% [markdown]
# ## Chaining with `Compose`
# `v2.Compose([a, b])` calls `a`, then `b` on its result. Reading the same item twice must give the same values.

# %%
composed = v2.Compose([ToTensor(), MulTransform(cfg.factor)])
dataset = WineDataset(transform=composed)
first_read, _ = dataset[0]
second_read, _ = dataset[0]
item_unchanged = torch.equal(first_read, second_read)
print(f"ToTensor, then MulTransform({cfg.factor}): {first_read[:3]}")
print(f"read twice, same values: {item_unchanged}; stored row unchanged: {dataset.features[0][:3]}")

# %% [markdown]
# The mistake, for comparison: a transform that multiplies in place changes the stored array through the
# shared memory, so each read doubles the values again.

# %%


class InPlaceMulTransform(MulTransform):
    """The mistake to avoid: multiplies the features in place, changing the stored data."""

    def __call__(self, sample):
        features, label = sample
        features *= self.factor  # writes into the dataset's own array
        return features, label


broken = WineDataset(transform=v2.Compose([ToTensor(), InPlaceMulTransform(cfg.factor)]))
broken_reads = [broken[0][0][0].item() for _ in range(3)]
print(f"in-place transform, first feature on three reads: {broken_reads}")

# %% [markdown]
# ## torchvision transforms v2 on a photo
# For images torchvision has the transforms ready-made. They work on tensors of shape (channels, height, width);
# `v2.ToImage()` converts a NumPy array (height, width, channels) or PIL image into one, still uint8 (0–255).
# A typical pipeline for a network trained on ImageNet (lesson 15):
#
# - `Resize(256)`: the shorter side becomes 256 pixels, keeping the aspect ratio;
# - `CenterCrop(224)`: the 224 × 224 middle;
# - `RandomHorizontalFlip(p)`: a mirror image with probability p — a *data augmentation* for training (here
#   p = 1 so that the figure shows it);
# - `ToDtype(torch.float32, scale=True)`: float values, scaled from 0–255 to 0–1;
# - `Normalize(mean, std)`: per channel `(x − mean) / std`, with ImageNet's means and standard deviations.
#
# The photo comes with scikit-learn (`load_sample_image`): "china.jpg" (a temple) or "flower.jpg".

# %%
photo = load_sample_image(cfg.photo).copy()  # NumPy uint8 (height, width, 3); a writable copy for torch
image = v2.ToImage()(photo)
print(f"photo {cfg.photo}: NumPy {photo.shape} {photo.dtype} -> image tensor {tuple(image.shape)} {image.dtype}")

mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
resize_size = round(cfg.image_size * 256 / 224)
steps = [
    ("Resize", v2.Resize(resize_size, antialias=True)),
    ("CenterCrop", v2.CenterCrop(cfg.image_size)),
    ("RandomHorizontalFlip", v2.RandomHorizontalFlip(p=1.0)),
    ("ToDtype", v2.ToDtype(torch.float32, scale=True)),
    ("Normalize", v2.Normalize(mean=mean, std=std)),
]
stages = [("original", image)]
for name, transform in steps:
    stages.append((name, transform(stages[-1][1])))
    print(f"after {name:<21} {tuple(stages[-1][1].shape)} {stages[-1][1].dtype}")

pipeline = v2.Compose([transform for _, transform in steps])
transformed = pipeline(image)
assert torch.equal(transformed, stages[-1][1])
print(
    f"the whole pipeline as one Compose: {tuple(transformed.shape)}, isinstance Image: "
    f"{isinstance(transformed, tv_tensors.Image)}"
)
scaled = stages[4][1]
print(f"after ToDtype: values in [{scaled.min():.3f}, {scaled.max():.3f}]")
print(f"after Normalize: channel means {[round(v, 3) for v in transformed.mean(dim=(1, 2)).tolist()]}")

# %% [markdown]
# ## Before and after
# matplotlib wants (height, width, channels) with values in [0, 1]: `permute(1, 2, 0)` puts the channels last.
# A normalised image has values around 0, some negative; for display it is stretched back to [0, 1] (its
# colours shift: each channel was centred on ImageNet's mean, not on this photo's).

# %%


def displayable(tensor):
    """An (H, W, C) NumPy array in [0, 1] that matplotlib can show."""
    tensor = tensor.as_subclass(torch.Tensor)
    if tensor.dtype == torch.uint8:
        tensor = tensor.float() / 255
    if tensor.min() < 0 or tensor.max() > 1:  # normalised: stretch to [0, 1]
        tensor = (tensor - tensor.min()) / (tensor.max() - tensor.min())
    return tensor.permute(1, 2, 0).numpy()


plt = runtime.pyplot()
fig, axes = plt.subplots(2, 3, figsize=(11, 6.5))
for ax, (name, stage) in zip(axes.flat, stages, strict=True):
    ax.imshow(displayable(stage))
    ax.set_title(f"{name} {tuple(stage.shape)}", fontsize=9)
    ax.axis("off")
runtime.save_figure(fig, "transforms.png")

# %%
runtime.report(
    item_unchanged=item_unchanged,
    scaled_first_feature=first_read[0].item(),
    in_place_reads=broken_reads,
    image_shape=list(transformed.shape),
    scaled_range=[scaled.min().item(), scaled.max().item()],
    normalized_mean=[round(v, 4) for v in transformed.mean(dim=(1, 2)).tolist()],
)
