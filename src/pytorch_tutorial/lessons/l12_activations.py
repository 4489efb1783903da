# %% [markdown]
# # Lesson 12 — Activation functions
#
# A layer like `nn.Linear` is linear: stacking several of them is still one linear function, `W₂(W₁x) = (W₂W₁)x`,
# no matter how deep. An activation function applied after each layer breaks the linearity, and with it a
# network can approximate curved decision boundaries and complex functions.
#
# Six of them, each three ways: the formula (NumPy), the `torch` function, and the `nn` module (a layer you
# can put in `nn.Sequential`). Then which to choose where.

# %%
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pytorch_tutorial import runtime

cfg = runtime.settings(negative_slope=0.01, hidden_size=16, epochs=100, lr=0.03)
device = runtime.device()

# %% [markdown]
# ## The formulas
# - **step**: 1 if x ≥ 0, else 0 — the original perceptron; its gradient is 0 everywhere, so it cannot be
#   trained by gradient descent and is not used in practice;
# - **sigmoid**: `σ(x) = 1 / (1 + e^(−x))`, between 0 and 1 — a probability, for binary outputs;
# - **tanh**: `(e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1`, between −1 and 1, centred on 0;
# - **ReLU**: `max(0, x)` — the default for hidden layers: cheap, and its gradient is 1 for every positive input;
# - **leaky ReLU**: x for x ≥ 0, `a·x` otherwise (a small slope, 0.01 here), so that neurons whose inputs are
#   all negative still get a gradient (a ReLU neuron can "die": output 0, gradient 0, forever);
# - **softmax**: `e^(x_i) / Σ_j e^(x_j)` over a vector — probabilities for multi-class outputs (lesson 11).

# %%
# The formulas as written, for the -5..5 we plot: beyond |x| ≈ 709 np.exp overflows (torch's functions do not).


def step(x):
    """1 where x >= 0, else 0."""
    return np.where(x >= 0, 1.0, 0.0)


def sigmoid(x):
    """1 / (1 + e^-x)."""
    return 1 / (1 + np.exp(-x))


def tanh(x):
    """(e^x - e^-x) / (e^x + e^-x)."""
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def relu(x):
    """max(0, x)."""
    return np.maximum(0, x)


def leaky_relu(x, negative_slope=cfg.negative_slope):
    """x where x >= 0, else negative_slope * x."""
    return np.where(x >= 0, x, negative_slope * x)


def softmax(x):
    """e^(x_i) / sum_j e^(x_j), with the max subtracted first (lesson 11)."""
    exp = np.exp(x - np.max(x))
    return exp / exp.sum()


# %% [markdown]
# ## The same in PyTorch: function and module
# Each activation exists as a function (`torch.sigmoid(x)`, `F.leaky_relu(x, 0.01)`) and as a module
# (`nn.Sigmoid()`, created once, then called like a layer). We check all three forms against each other on
# the same inputs, in float64 on the CPU so that they agree with NumPy to the last digits (Apple's MPS has no
# float64). PyTorch has no step module; `torch.heaviside(x, 1.0)` is the step function.

# %%
x_numpy = np.linspace(-5, 5, 201)
x = torch.from_numpy(x_numpy)  # float64

activations = {
    "step": (step, lambda t: torch.heaviside(t, torch.tensor(1.0, dtype=t.dtype)), None),
    "sigmoid": (sigmoid, torch.sigmoid, nn.Sigmoid()),
    "tanh": (tanh, torch.tanh, nn.Tanh()),
    "ReLU": (relu, torch.relu, nn.ReLU()),
    "leaky ReLU": (
        leaky_relu,
        lambda t: F.leaky_relu(t, cfg.negative_slope),
        nn.LeakyReLU(negative_slope=cfg.negative_slope),
    ),
    "softmax": (softmax, lambda t: torch.softmax(t, dim=0), nn.Softmax(dim=0)),
}

max_differences = {}
curves = {}
for name, (formula, function, module) in activations.items():
    expected = formula(x_numpy)
    from_function = function(x).numpy()
    difference = np.abs(from_function - expected).max()
    if module is not None:
        difference = max(difference, np.abs(module(x).numpy() - expected).max())
    max_differences[name] = float(difference)
    curves[name] = from_function
    print(f"{name:<11} formula vs torch function and nn module: largest difference {difference:.1e}")

# %% [markdown]
# ## All of them in one picture
# Softmax is not an element-wise function — every output depends on the whole vector — so its panel shows the
# softmax of the 201 points of x: the largest x gets by far the largest share.

# %%
plt = runtime.pyplot()
fig, axes = plt.subplots(2, 3, figsize=(11, 6))
for ax, (name, values) in zip(axes.flat, curves.items(), strict=True):
    ax.plot(x_numpy, values, color="tab:blue")
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.axvline(0, color="gray", linewidth=0.5)
    ax.set_title(name)
    ax.set_xlabel("x")
fig.tight_layout()
runtime.save_figure(fig, "activations.png")

# %% [markdown]
# ## Gradients: why ReLU trains well
# Backpropagation multiplies the gradients of all layers (lesson 4). The sigmoid's gradient is at most 0.25 and
# almost 0 for large |x| — through many layers the product vanishes. ReLU's gradient is exactly 1 for x > 0.

# %%
probe = torch.tensor([-4.0, 0.5, 4.0], requires_grad=True)
gradients = {}
for name, function in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("ReLU", torch.relu)]:
    (probe_grad,) = torch.autograd.grad(function(probe).sum(), probe)
    gradients[name] = probe_grad.tolist()
    print(f"d {name}/dx at x = {probe.tolist()}: {[round(g, 4) for g in gradients[name]]}")

# %% [markdown]
# ## A small network using them
# Two circles of points, one inside the other (scikit-learn's `make_circles`): no straight line separates them.
# The network below has two hidden layers and takes its activation as an argument, so we can train the same
# architecture with each activation — and with none (`nn.Identity`), which makes the whole network linear.
#
# Which activation goes where:
#
# | layer | choice | loss |
# |---|---|---|
# | hidden | ReLU (the default), leaky ReLU if many neurons die, tanh in recurrent networks | |
# | output, multi-class | `nn.Linear(hidden, C)`, no activation (logits) | `nn.CrossEntropyLoss` (softmax inside) |
# | output, binary | `nn.Linear(hidden, 1)`, no activation (a logit) | `nn.BCEWithLogitsLoss` (sigmoid inside) |
# | output, regression | `nn.Linear(hidden, 1)`, no activation | `nn.MSELoss` |
#
# Apply `softmax` / `sigmoid` to the output yourself only when you need probabilities (to show them, or to
# threshold them). The step function is history.

# %%
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split

points, classes = make_circles(n_samples=400, noise=0.1, factor=0.5, random_state=0)
x_train, x_test, y_train, y_test = (
    torch.tensor(a, dtype=torch.float32, device=device)
    for a in train_test_split(points, classes, test_size=0.25, stratify=classes, random_state=0)
)
y_train, y_test = y_train.view(-1, 1), y_test.view(-1, 1)


class NeuralNet(nn.Module):
    """Three linear layers with ``activation`` between them, for a binary output."""

    def __init__(self, input_size, hidden_size, activation):
        super().__init__()
        self.linear1 = nn.Linear(input_size, hidden_size)
        self.linear2 = nn.Linear(hidden_size, hidden_size)
        self.linear3 = nn.Linear(hidden_size, 1)
        self.activation = activation

    def forward(self, x):
        out = self.activation(self.linear1(x))
        out = self.activation(self.linear2(out))
        return self.linear3(out)  # a logit: BCEWithLogitsLoss applies the sigmoid


def train_and_test(activation):
    """Train a fresh NeuralNet with this activation; its accuracy on the held-out points."""
    model = NeuralNet(input_size=2, hidden_size=cfg.hidden_size, activation=activation).to(device)
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    for _ in range(cfg.epochs):
        loss = loss_fn(model(x_train), y_train)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        predicted = (torch.sigmoid(model(x_test)) > 0.5).float()
    return model, (predicted == y_test).float().mean().item()


hidden_activations = {
    "none (linear)": nn.Identity(),
    "sigmoid": nn.Sigmoid(),
    "tanh": nn.Tanh(),
    "ReLU": nn.ReLU(),
    "leaky ReLU": nn.LeakyReLU(cfg.negative_slope),
}
trained_models, test_accuracy = {}, {}
for name, activation in hidden_activations.items():
    trained_models[name], test_accuracy[name] = train_and_test(activation)
    print(f"hidden activation {name:<14} test accuracy {test_accuracy[name]:.3f}")

# %% [markdown]
# Without an activation the network is a straight line in disguise and cannot beat guessing by much; with tanh,
# ReLU or leaky ReLU it separates the circles. Sigmoid hidden layers learn more slowly — their gradients are
# small (see above) — and may need more epochs for the same result (try `--set epochs=300`).
#
# The activation can also be written as a function call in `forward` instead of a module: the same network,
# the same weights, the same outputs.

# %%


class NeuralNetFunctional(NeuralNet):
    """The same network with ``torch.relu`` called in ``forward`` instead of modules."""

    def forward(self, x):
        out = torch.relu(self.linear1(x))
        out = torch.relu(self.linear2(out))
        return self.linear3(out)


functional_model = NeuralNetFunctional(input_size=2, hidden_size=cfg.hidden_size, activation=None).to(device)
relu_model = trained_models["ReLU"]
functional_model.load_state_dict(relu_model.state_dict())
with torch.no_grad():
    same_outputs = torch.allclose(functional_model(x_test), relu_model(x_test))
print(f"module form and function form give the same outputs: {same_outputs}")

# %%
runtime.report(
    max_difference=max(max_differences.values()),
    relu_gradient=gradients["ReLU"],
    sigmoid_gradient_at_4=gradients["sigmoid"][2],
    test_accuracy=test_accuracy,
)
