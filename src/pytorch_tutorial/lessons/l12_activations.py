# %% [markdown]
# # Lesson 12 — Activation functions
#
# A layer like `nn.Linear` is linear: stacking several of them is still one linear function, `W₂(W₁x) = (W₂W₁)x`,
# however deep. An activation function applied to the output of each layer breaks the linearity; with it a
# network can learn curved decision boundaries and complex functions.
#
# The six you will meet:
#
# - **step**: 1 if x ≥ 0, else 0, the original perceptron's. Its gradient is 0 wherever it is defined, so
#   gradient descent cannot train it, and it is not used in practice;
# - **sigmoid**: `σ(x) = 1 / (1 + e^(−x))`, between 0 and 1: a probability, for binary outputs;
# - **tanh**: `(e^x − e^(−x)) / (e^x + e^(−x))`, between −1 and 1, centred on 0 (it is `2σ(2x) − 1`, a
#   stretched and shifted sigmoid);
# - **ReLU**: `max(0, x)`, the default for hidden layers: cheap, and its gradient is 1 for every positive input;
# - **leaky ReLU**: x for x ≥ 0, `a·x` otherwise, with a small slope a (0.01 here). A ReLU neuron whose inputs
#   are all negative outputs 0 with gradient 0 and never learns again (it "dies"); the leaky one still gets a
#   small gradient;
# - **softmax**: `e^(x_i) / Σ_j e^(x_j)` over a vector: probabilities for multi-class outputs (lesson 11).

# %%
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pytorch_tutorial import runtime

cfg = runtime.settings(negative_slope=0.01, hidden_size=16, epochs=100, lr=0.03)
device = runtime.device()

# %% [markdown]
# ## The formulas in NumPy, and their plot
# (For the −5 to 5 we plot: beyond |x| ≈ 709, `np.exp` overflows; PyTorch's functions below do not.)

# %%


def step(x):
    return np.where(x >= 0, 1.0, 0.0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def leaky_relu(x, negative_slope=cfg.negative_slope):
    return np.where(x >= 0, x, negative_slope * x)


def softmax(x):
    exp = np.exp(x - np.max(x))  # the maximum subtracted first, as in lesson 11
    return exp / exp.sum()


x_plot = np.linspace(-5, 5, 201)
plt = runtime.pyplot()
fig, axes = plt.subplots(2, 3, figsize=(11, 6))
for ax, function in zip(axes.flat, [step, sigmoid, tanh, relu, leaky_relu, softmax], strict=True):
    ax.plot(x_plot, function(x_plot))
    ax.grid(True)
    ax.set_title(function.__name__)
fig.tight_layout()
runtime.save_figure(fig, "activations.png")

# %% [markdown]
# Softmax is not applied to each number on its own: every output depends on the whole vector. Its panel shows
# the softmax of the 201 points of x taken as one vector. The shares grow like `e^x`, but they are shared out
# among 201 points, so even the largest is small:

# %%
shares = np.sort(softmax(x_plot))
print(f"the largest share {shares[-1]:.1%}, the next {shares[-2]:.1%}, the 20 largest {shares[-20:].sum():.0%}")

# %% [markdown]
# ## The same in PyTorch: a function and a module
# Each activation exists as a **function** (`torch.sigmoid(x)`, `F.leaky_relu(x, 0.01)`) and as a **module**
# (`nn.Sigmoid()`, created once, then called like a layer, and usable in `nn.Sequential`). Each line below
# prints the formula (NumPy), the function and the module: the same numbers. PyTorch has no step module; the
# function `torch.heaviside(x, values)` takes, as a tensor, the value to return where x is exactly 0.

# %%
x = torch.tensor([-1.0, 1.0, 2.0, 3.0])

print("step      ", step(x.numpy()), torch.heaviside(x, torch.tensor(1.0)))  # no step module
print("sigmoid   ", sigmoid(x.numpy()), torch.sigmoid(x), nn.Sigmoid()(x))
print("tanh      ", tanh(x.numpy()), torch.tanh(x), nn.Tanh()(x))
print("ReLU      ", relu(x.numpy()), torch.relu(x), nn.ReLU()(x))
print("leaky ReLU", leaky_relu(x.numpy()), F.leaky_relu(x, cfg.negative_slope), nn.LeakyReLU(cfg.negative_slope)(x))
print("softmax   ", softmax(x.numpy()), torch.softmax(x, dim=0), nn.Softmax(dim=0)(x))

# %% [markdown]
# ## Gradients: why ReLU trains well
# Backpropagation multiplies the gradients of all layers (lesson 4). The sigmoid's derivative is
# `σ(x)·(1 − σ(x))`: at most 0.25 (at x = 0) and almost 0 for large |x|, so through many layers the product
# vanishes. ReLU's derivative is exactly 1 for every x > 0. `.backward()` on the sum gives each point's
# derivative at once (the sum's gradient with respect to x_i is the derivative at x_i):

# %%
x_sigmoid = torch.tensor([-4.0, 0.5, 4.0], requires_grad=True)
torch.sigmoid(x_sigmoid).sum().backward()
x_relu = torch.tensor([-4.0, 0.5, 4.0], requires_grad=True)
torch.relu(x_relu).sum().backward()
print(f"at x = -4, 0.5, 4: d sigmoid/dx = {x_sigmoid.grad}, d ReLU/dx = {x_relu.grad}")
sigma = torch.sigmoid(x_sigmoid.detach())
print(f"σ(x)·(1 − σ(x)) = {sigma * (1 - sigma)}")

# %% [markdown]
# ## A small network, with and without an activation
# Two circles of points, one inside the other (scikit-learn's `make_circles`): no straight line separates them.
# `train_test_split` holds a quarter of them out (its default) to test on, with both circles in the same
# proportion (`stratify`).
#
# The network below has two hidden layers and takes its activation as an argument (a module, as `nn.ReLU()`),
# so we can train the same network with ReLU and with none at all (`nn.Identity()` returns its input), which
# makes the whole network one linear function. This is the original lesson's first way to write a network:
# activations as modules, created in `__init__`. The last layer outputs a logit for `nn.BCEWithLogitsLoss`
# (lesson 11). Adam is a variant of gradient descent that lesson 13 uses too.

# %%
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split

points, classes = make_circles(n_samples=400, noise=0.1, factor=0.5, random_state=0)
points_train, points_test, classes_train, classes_test = train_test_split(
    points, classes, stratify=classes, random_state=0
)
x_train = torch.tensor(points_train, dtype=torch.float32, device=device)
x_test = torch.tensor(points_test, dtype=torch.float32, device=device)
y_train = torch.tensor(classes_train, dtype=torch.float32, device=device).view(-1, 1)  # (N, 1), as the output
y_test = torch.tensor(classes_test, dtype=torch.float32, device=device).view(-1, 1)


class NeuralNet(nn.Module):
    def __init__(self, input_size, hidden_size, activation):
        super().__init__()
        self.linear1 = nn.Linear(input_size, hidden_size)
        self.linear2 = nn.Linear(hidden_size, hidden_size)
        self.linear3 = nn.Linear(hidden_size, 1)
        self.activation = activation

    def forward(self, x):
        out = self.activation(self.linear1(x))
        out = self.activation(self.linear2(out))
        return self.linear3(out)


def train_and_test(model):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    for _epoch in range(cfg.epochs):
        loss = loss_fn(model(x_train), y_train)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        predicted = (model(x_test) > 0).float()  # a logit above 0 is a probability above 0.5
    return (predicted == y_test).float().mean().item()


linear_model = NeuralNet(input_size=2, hidden_size=cfg.hidden_size, activation=nn.Identity()).to(device)
relu_model = NeuralNet(input_size=2, hidden_size=cfg.hidden_size, activation=nn.ReLU()).to(device)
test_accuracy = {"none (linear)": train_and_test(linear_model), "ReLU": train_and_test(relu_model)}
print(f"test accuracy: without an activation {test_accuracy['none (linear)']:.2f}, ReLU {test_accuracy['ReLU']:.2f}")

# %% [markdown]
# ## The decision boundaries
# We ask each network about every point of a fine grid and colour the grid by its answer (orange: "inner
# circle"); the dots are the test points, coloured by their true circle. Without an activation the boundary is
# a straight line, and the network does no better than guessing; with ReLU it bends around the inner circle.

# %%
grid_x, grid_y = np.meshgrid(np.linspace(-1.5, 1.5, 200), np.linspace(-1.5, 1.5, 200))
grid = torch.tensor(np.column_stack([grid_x.ravel(), grid_y.ravel()]), dtype=torch.float32, device=device)
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
for ax, name, model in zip(axes, ["none (linear)", "ReLU"], [linear_model, relu_model], strict=True):
    with torch.no_grad():
        inner = (model(grid) > 0).reshape(grid_x.shape).cpu().numpy()
    ax.contourf(grid_x, grid_y, inner, levels=[-0.5, 0.5, 1.5], colors=["tab:blue", "tab:orange"], alpha=0.25)
    ax.scatter(points_test[:, 0], points_test[:, 1], c=classes_test, cmap="coolwarm", s=12)
    ax.set_title(f"activation: {name}, test accuracy {test_accuracy[name]:.2f}")
runtime.save_figure(fig, "decision_boundaries.png")

# %% [markdown]
# ## Which activation where
#
# | layer | choice | loss |
# |---|---|---|
# | hidden | ReLU (the default), leaky ReLU if many neurons die, tanh in recurrent networks | |
# | output, multi-class | `nn.Linear(hidden, C)`, no activation (logits) | `nn.CrossEntropyLoss` (softmax inside) |
# | output, binary | `nn.Linear(hidden, 1)`, no activation (a logit) | `nn.BCEWithLogitsLoss` (sigmoid inside) |
# | output, regression | `nn.Linear(hidden, 1)`, no activation | `nn.MSELoss` |
#
# Apply `softmax` or `sigmoid` to the output yourself only when you need the probabilities (to show them, or to
# compare them with a threshold). The step function is history.

# %%
runtime.report(test_accuracy=test_accuracy)

# %% [markdown]
# ## Going further
#
# ### Every activation on the circles
# The same network with sigmoid, tanh and leaky ReLU in the hidden layers. Tanh and leaky ReLU separate the
# circles as ReLU does. Sigmoid hidden layers learn more slowly, because their gradients are small (see above),
# and may need more epochs for the same result (try `--set epochs=300`).

# %%
for name, activation in [
    ("sigmoid", nn.Sigmoid()),
    ("tanh", nn.Tanh()),
    ("leaky ReLU", nn.LeakyReLU(cfg.negative_slope)),
]:
    model = NeuralNet(input_size=2, hidden_size=cfg.hidden_size, activation=activation).to(device)
    test_accuracy[name] = train_and_test(model)
    print(f"hidden activation {name:<14} test accuracy {test_accuracy[name]:.3f}")
runtime.report(test_accuracy=test_accuracy)

# %% [markdown]
# ### The second way to write the network: functions in `forward`
# The activation can also be called as a function in `forward` instead of being a module, the original
# lesson's second way to write a network. It is the same network: built from the same seed (the same first
# weights), the two forms give the same outputs.

# %%


class NeuralNetFunctional(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.linear1 = nn.Linear(input_size, hidden_size)
        self.linear2 = nn.Linear(hidden_size, hidden_size)
        self.linear3 = nn.Linear(hidden_size, 1)

    def forward(self, x):
        out = torch.relu(self.linear1(x))
        out = torch.relu(self.linear2(out))
        return self.linear3(out)


torch.manual_seed(0)
module_form = NeuralNet(input_size=2, hidden_size=cfg.hidden_size, activation=nn.ReLU())
torch.manual_seed(0)
function_form = NeuralNetFunctional(input_size=2, hidden_size=cfg.hidden_size)
same_outputs = torch.equal(module_form(x_test.cpu()), function_form(x_test.cpu()))
print(f"module form and function form give the same outputs: {same_outputs}")
