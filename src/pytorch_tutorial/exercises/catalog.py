"""Every exercise of the course: its id, where the learner writes it, its title and its hint.

This module imports neither torch nor the checks, so ``pytorch-tutorial hint`` answers at once. The checks
(``checks/``), the stubs and the reference solutions refer to the exercises by the ids and names given here;
a test keeps the four in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pytorch_tutorial import course, runtime

HERE = Path(__file__).parent
STUBS = HERE / "stubs"
SOLUTIONS = HERE / "solutions"


def lesson_file(lesson: int) -> str:
    """The file that holds a lesson's exercises, e.g. ``ex02_tensors.py``."""
    return f"ex{lesson:02d}_{course.BY_NUMBER[lesson].slug}.py"


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``id`` is ``"N.K"`` (lesson N, exercise K); ``names`` are what the learner writes."""

    id: str
    names: tuple[str, ...]
    title: str
    hint: str

    @property
    def lesson(self) -> int:
        """The lesson this exercise practises."""
        return int(self.id.split(".")[0])

    @property
    def file(self) -> str:
        """The file the learner writes it in, e.g. ``ex02_tensors.py``."""
        return lesson_file(self.lesson)

    @property
    def where(self) -> str:
        """``pairwise_sums in ex02_tensors.py``."""
        return f"{' and '.join(self.names)} in {self.file}"


def _ex(exercise_id: str, names: str, title: str, hint: str) -> Exercise:
    return Exercise(exercise_id, tuple(names.split()), title, hint)


EXERCISES: tuple[Exercise, ...] = (
    # Lesson 2: tensor basics
    _ex(
        "2.1",
        "pairwise_sums",
        "Pairwise sums without loops",
        "Broadcasting lines up trailing dimensions: a[:, None] has shape (n, 1), b[None, :] has shape (1, m), "
        "and their sum has shape (n, m).",
    ),
    _ex(
        "2.2",
        "to_patches",
        "Cut an image into patches with reshape and permute",
        "Reshape (H, W) to (H//s, s, W//s, s): the axes are (patch row, row in patch, patch column, column in "
        "patch). Permute to (patch row, patch column, row, column), then reshape to (-1, s, s).",
    ),
    _ex(
        "2.3",
        "shared_and_copied",
        "Share memory with NumPy, or copy",
        "torch.from_numpy(array) shares the array's memory; torch.tensor(array) always copies.",
    ),
    # Lesson 3: autograd
    _ex(
        "3.1",
        "gradient_at",
        "The gradient of any function at a point",
        "Work on x.detach().clone().requires_grad_(True), call f on it, then backward() on the scalar "
        "(or torch.autograd.grad); return the .grad detached so the result carries no history.",
    ),
    _ex(
        "3.2",
        "vector_jacobian_product",
        "A vector-Jacobian product",
        "For a non-scalar y = f(x), y.backward(v) leaves v^T J in x.grad; torch.autograd.grad(y, x, v) "
        "returns it directly.",
    ),
    _ex(
        "3.3",
        "sgd_update_",
        "An in-place update that autograd does not record",
        "Inside `with torch.no_grad():` write `w -= lr * w.grad` (in place, so w stays the same leaf "
        "tensor), then `w.grad.zero_()` so the next backward does not add to the old gradient.",
    ),
    # Lesson 4: backpropagation
    _ex(
        "4.1",
        "squared_error_and_grad",
        "Loss and gradient by the chain rule",
        "With y_hat = w*x and s = y_hat - y, loss = s**2; dloss/ds = 2*s, ds/dy_hat = 1, dy_hat/dw = x. "
        "Multiply the local gradients: dloss/dw = 2*s*x.",
    ),
    _ex(
        "4.2",
        "linear_backward",
        "Backward pass of a linear layer by hand",
        "For y = x @ W.T + b: grad_x = grad_y @ W, grad_W = grad_y.T @ x, grad_b = grad_y summed over the "
        "batch (dim 0). Check the shapes: each gradient has the shape of what it is the gradient of.",
    ),
    _ex(
        "4.3",
        "numerical_gradient",
        "Gradient by central finite differences",
        "Work in float64. For every element i: (f(x + eps*e_i) - f(x - eps*e_i)) / (2*eps), where e_i is a "
        "one-hot tensor of x's shape; leave x itself unchanged.",
    ),
    # Lesson 5: gradient descent
    _ex(
        "5.1",
        "mse_gradient",
        "The gradient of the mean squared error in NumPy",
        "J = mean((w*x - y)**2), so dJ/dw = mean(2*x*(w*x - y)). It is a mean, not a sum, and it has no "
        "extra factor of 4.",
    ),
    _ex(
        "5.2",
        "gradient_descent",
        "Gradient descent in NumPy",
        "Start at w = 0.0; n_iters times: w = w - lr * mean(2*x*(w*x - y)). Return float(w).",
    ),
    _ex(
        "5.3",
        "gradient_descent_autograd",
        "Gradient descent with autograd",
        "w = torch.tensor(0.0, dtype=x.dtype, requires_grad=True); each iteration: loss, loss.backward(), then "
        "under torch.no_grad() w -= lr * w.grad, then w.grad.zero_(). The gradient must come from autograd: "
        "the check counts the backward passes, so a hand-written mean(2*x*(w*x - y)) fails.",
    ),
    # Lesson 6: training pipeline
    _ex(
        "6.1",
        "training_step",
        "One training step",
        "Forward, loss, backward, step, zero the gradients: loss = loss_fn(model(inputs), targets); "
        "loss.backward(); optimizer.step(); optimizer.zero_grad(); return loss.item(). Calling "
        "optimizer.zero_grad() first instead is just as right; between backward() and step() it is not.",
    ),
    _ex(
        "6.2",
        "LinearRegression",
        "A custom nn.Module",
        "Call super().__init__() first, then create self.linear = nn.Linear(input_dim, output_dim); forward "
        "returns self.linear(x).",
    ),
    # Lesson 7: linear regression
    _ex(
        "7.1",
        "least_squares",
        "The least-squares optimum in closed form",
        "Append a column of ones to X for the bias: A = torch.cat([X, ones], dim=1); then "
        "torch.linalg.lstsq(A, y.unsqueeze(1)).solution gives the weights followed by the bias.",
    ),
    _ex(
        "7.2",
        "polynomial_features",
        "Polynomial features by broadcasting",
        "x.unsqueeze(1) has shape (N, 1) and torch.arange(1, degree + 1) has shape (degree,): raise the "
        "first to the power of the second.",
    ),
    # Lesson 8: logistic regression
    _ex(
        "8.1",
        "standardize",
        "Standardise with the training statistics only",
        "mean = train.mean(dim=0), std = train.std(dim=0, unbiased=False); apply (data - mean) / std to both "
        "train and test — never compute statistics on the test data.",
    ),
    _ex(
        "8.2",
        "stable_bce_with_logits",
        "A numerically stable binary cross-entropy on logits",
        "For a logit z and target y the loss is max(z, 0) - z*y + log(1 + exp(-|z|)); exp(-|z|) never "
        "overflows. torch.log1p is accurate for small arguments. Take the mean.",
    ),
    # Lesson 9: Dataset and DataLoader
    _ex(
        "9.1",
        "CSVDataset",
        "A Dataset over a CSV file",
        "Read the file once in __init__ (np.loadtxt(path, delimiter=',', skiprows=1, ndmin=2)); keep the "
        "features as a float32 tensor and the labels (first column minus 1) as int64. __len__ is the number "
        "of rows; __getitem__ returns (features[i], labels[i]).",
    ),
    _ex(
        "9.2",
        "iterations_per_epoch",
        "Iterations per epoch",
        "Without drop_last the last, smaller batch counts: ceil(n / batch_size) = (n + batch_size - 1) // "
        "batch_size. With drop_last it does not: n // batch_size.",
    ),
    _ex(
        "9.3",
        "shuffled_loader",
        "A reproducibly shuffled DataLoader",
        "Pass shuffle=True and generator=torch.Generator().manual_seed(seed) to DataLoader.",
    ),
    # Lesson 10: transforms
    _ex(
        "10.1",
        "MultiplyTransform",
        "A callable transform class",
        "Store factor in __init__; __call__(self, sample) unpacks features, label = sample and returns "
        "(features * factor, label) — a new tensor, so the stored data never changes.",
    ),
    _ex(
        "10.2",
        "compose",
        "Compose transforms",
        "Return an inner function that loops over the transforms: sample = transform(sample) for each, "
        "then returns sample.",
    ),
    _ex(
        "10.3",
        "to_normalized_float",
        "ToDtype with scaling, then Normalize",
        "image.to(torch.float32) / 255 gives values in [0, 1]; make mean and std tensors of shape (C, 1, 1) "
        "so they broadcast over height and width.",
    ),
    # Lesson 11: softmax and cross-entropy
    _ex(
        "11.1",
        "log_softmax",
        "A numerically stable log-softmax",
        "log_softmax(x) = x - max - log(sum(exp(x - max))), with the max over `dim` and keepdim=True: "
        "exp never sees a positive number, so it cannot overflow.",
    ),
    _ex(
        "11.2",
        "cross_entropy",
        "Cross-entropy from raw logits and class indices",
        "Take a stable log-softmax over the classes (dim=1), pick each row's entry at its target "
        "(gather, or log_probs[torch.arange(N), targets]), negate and average.",
    ),
    _ex(
        "11.3",
        "softmax_numpy",
        "A stable softmax in NumPy",
        "Subtract x.max(axis=-1, keepdims=True) before np.exp, then divide by the sum over the last axis "
        "(keepdims=True).",
    ),
    # Lesson 12: activation functions
    _ex(
        "12.1",
        "leaky_relu",
        "Leaky ReLU from its formula",
        "torch.where(x > 0, x, negative_slope * x): differentiable, and without changing x in place.",
    ),
    _ex(
        "12.2",
        "sigmoid_derivative",
        "The derivative of the sigmoid",
        "With s = torch.sigmoid(x), ds/dx = s * (1 - s).",
    ),
    _ex(
        "12.3",
        "make_classifier",
        "A classifier that outputs logits",
        "nn.Sequential(nn.Linear(input_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, num_classes)) — "
        "no softmax at the end: nn.CrossEntropyLoss wants raw scores.",
    ),
    # Lesson 13: feed-forward network
    _ex(
        "13.1",
        "evaluate_accuracy",
        "Evaluate in eval mode without gradients",
        "model.eval() (dropout and batch-norm switch to inference behaviour) and `with torch.no_grad():`; "
        "count (logits.argmax(dim=1) == targets).sum() over all batches and divide by the number of samples.",
    ),
    _ex(
        "13.2",
        "train_one_epoch",
        "One epoch of training",
        "model.train(); for each batch: loss, backward, step, zero_grad (or zero_grad first: either order works); "
        "add loss.item() * len(targets) to a total and divide by the number of samples at the end.",
    ),
    _ex(
        "13.3",
        "confusion_matrix",
        "A confusion matrix without loops",
        "Number each (true, predicted) pair as true * num_classes + predicted; torch.bincount with "
        "minlength=num_classes**2 counts them; reshape to (num_classes, num_classes).",
    ),
    # Lesson 14: convolutional network
    _ex(
        "14.1",
        "conv_output_size",
        "The output-size formula",
        "(size - kernel + 2*padding) // stride + 1 — integer division, because a window that does not fit is dropped.",
    ),
    _ex(
        "14.2",
        "build_cnn",
        "A CNN whose output shape matches",
        "E.g. Conv2d(in_channels, 8, 3, padding=1) -> ReLU -> MaxPool2d(2) (28 -> 14) -> Conv2d(8, 16, 3, "
        "padding=1) -> ReLU -> MaxPool2d(2) (14 -> 7) -> Flatten -> Linear(16*7*7, num_classes).",
    ),
    _ex(
        "14.3",
        "pad_to_32",
        "Pad digits to 32x32",
        "torch.nn.functional.pad(images, (2, 2, 2, 2)) pads the last two dimensions: (left, right, top, bottom).",
    ),
    # Lesson 15: transfer learning
    _ex(
        "15.1",
        "freeze_all_but_head",
        "Freeze everything but the head",
        "Loop over model.parameters() setting requires_grad = False, then set it back to True for "
        "getattr(model, head).parameters() and return those as a list.",
    ),
    _ex(
        "15.2",
        "replace_head",
        "A new head for new classes",
        "The lesson writes model.fc3 = nn.Linear(model.fc3.in_features, 5); here the layer's name is a string, so "
        "old = getattr(model, head); setattr(model, head, nn.Linear(old.in_features, num_classes)); return model.",
    ),
    _ex(
        "15.3",
        "step_lr",
        "The StepLR schedule",
        "The rate is multiplied by gamma once every step_size epochs: initial_lr * gamma ** (epoch // step_size).",
    ),
    # Lesson 16: TensorBoard
    _ex(
        "16.1",
        "log_scalars",
        "Write a scalar series for TensorBoard",
        "writer = SummaryWriter(log_dir); writer.add_scalar(tag, value, global_step=step) for each value; "
        "writer.close() flushes the events to disk.",
    ),
    _ex(
        "16.2",
        "pr_curve_data",
        "The inputs of a precision-recall curve",
        "labels: targets == class_index (the ground truth, not the predictions); probabilities: "
        "torch.softmax(logits, dim=1)[:, class_index].",
    ),
    # Lesson 17: saving and loading
    _ex(
        "17.1",
        "save_checkpoint load_checkpoint",
        "A checkpoint save/resume pair",
        "Save a dict {'epoch': epoch, 'model': model.state_dict(), 'optimizer': optimizer.state_dict()}; load "
        "it with torch.load(path, weights_only=True), then model.load_state_dict(...) and "
        "optimizer.load_state_dict(...), and return the epoch.",
    ),
    _ex(
        "17.2",
        "save_atomic",
        "A save that is never half-written",
        "torch.save into a temporary file in the same folder, then os.replace(tmp, path); if torch.save "
        "raises, delete the temporary file and re-raise.",
    ),
    # Lesson 18: deploying as a web app
    _ex(
        "18.1",
        "crop_to_ink",
        "Bright ink on dark, cropped to the digit",
        "border = torch.cat([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]); if border.median() > 0.5, "
        "pixels = 1 - pixels. Then rows = torch.nonzero((pixels > 0.5).any(dim=1)).flatten() (and the same for "
        "columns with dim=0), and slice from the first to the last.",
    ),
    _ex(
        "18.2",
        "create_app",
        "A /predict route that answers every request",
        "app = Flask(__name__); @app.post('/predict') def ...: file = request.files.get('file') is None when the "
        "field is missing; data = file.read(); Image.open(io.BytesIO(data)) raises UnidentifiedImageError for a "
        "file that is not an image. Return a dict and a status: return {'error': '...'}, 400.",
    ),
    # Lesson 19: RNN name classification
    _ex(
        "19.1",
        "unicode_to_ascii",
        "Names in 57 letters",
        "text = unicodedata.normalize('NFD', text) splits 'é' into 'e' and a combining accent; then keep each "
        "character ch with unicodedata.category(ch) != 'Mn' and ch in ALL_LETTERS, and ''.join them.",
    ),
    _ex(
        "19.2",
        "name_to_tensor",
        "A name as one-hot letters",
        "tensor = torch.zeros(len(name), 1, len(ALL_LETTERS)), then for position, letter in enumerate(name): "
        "tensor[position, 0, ALL_LETTERS.index(letter)] = 1.",
    ),
    _ex(
        "19.3",
        "read_name",
        "Read a name with the hand-written RNN",
        "hidden = torch.zeros(1, i2h.out_features); for letter in name_tensor: combined = torch.cat((letter, "
        "hidden), dim=1); output = torch.log_softmax(i2o(combined), dim=1); hidden = torch.tanh(i2h(combined)). "
        "After the loop, return output.",
    ),
    # Lesson 20: RNN, LSTM and GRU
    _ex(
        "20.1",
        "rnn_layer",
        "One layer of nn.RNN by hand",
        "h = zeros (batch, hidden_size); for t in range(x.shape[1]): h = torch.tanh(x[:, t] @ weight_ih.T + bias_ih "
        "+ h @ weight_hh.T + bias_hh), keeping each h in a list; torch.stack(the list, dim=1) is the output and "
        "h.unsqueeze(0) is h_n.",
    ),
    _ex(
        "20.2",
        "count_weights",
        "How many weights a recurrent layer has",
        "One block per gate (RNN 1, GRU 3, LSTM 4): hidden_size * layer_input + hidden_size * hidden_size + "
        "2 * hidden_size. layer_input is input_size for the first layer and hidden_size for every later one.",
    ),
    # Lesson 21: PyTorch Lightning
    _ex(
        "21.1",
        "LitClassifier",
        "Lesson 13's network as a LightningModule",
        "class LitClassifier(L.LightningModule): super().__init__(), then the layers as in lesson 13; forward "
        "flattens with x.reshape(len(x), -1); training_step: loss = F.cross_entropy(self(x), y), "
        "self.log('train_loss', loss), return loss (the tensor); validation_step logs 'val_loss' and "
        "(logits.argmax(dim=1) == y).float().mean() as 'val_acc'; configure_optimizers returns "
        "torch.optim.Adam(self.parameters(), lr=...) (save_hyperparameters() keeps lr in self.hparams).",
    ),
    _ex(
        "21.2",
        "fit",
        "The loop a Trainer runs for you",
        "optimizer = model.configure_optimizers() once; for each epoch: model.train(), for batch_idx, batch in "
        "enumerate(train_loader): loss = model.training_step(batch, batch_idx), backward, step, zero_grad; then "
        "model.eval() and `with torch.no_grad():` the same loop over val_loader calling model.validation_step.",
    ),
    # Lesson 22: learning-rate schedulers
    _ex(
        "22.1",
        "warmup_cosine",
        "Warm-up, then a cosine",
        "def factor(epoch): return (epoch + 1) / warmup_epochs while epoch < warmup_epochs, else "
        "(1 + math.cos(math.pi * (epoch - warmup_epochs) / (total_epochs - warmup_epochs))) / 2; "
        "return lr_scheduler.LambdaLR(optimizer, lr_lambda=factor).",
    ),
    _ex(
        "22.2",
        "train_with_scheduler",
        "Step the scheduler in the right place",
        "Inside the batch loop: loss.backward(), note optimizer.param_groups[0]['lr'], optimizer.step(), "
        "optimizer.zero_grad(), and scheduler.step() only if per_batch; after the batch loop, scheduler.step() "
        "only if not per_batch. The optimizer always steps first.",
    ),
    _ex(
        "22.3",
        "plateau_rates",
        "ReduceLROnPlateau's rule by hand",
        "best = math.inf, bad = 0; for each loss: note lr; if loss < best * (1 - 1e-4): best, bad = loss, 0, else "
        "bad += 1; if bad > patience: lr *= factor and bad = 0.",
    ),
)

BY_ID: dict[str, Exercise] = {exercise.id: exercise for exercise in EXERCISES}


def lessons() -> list[int]:
    """The lessons that have exercises, in order."""
    return sorted({exercise.lesson for exercise in EXERCISES})


def for_lesson(lesson: int) -> list[Exercise]:
    """A lesson's exercises in order."""
    return [exercise for exercise in EXERCISES if exercise.lesson == lesson]


def files() -> list[str]:
    """The exercise files, one per lesson, in lesson order."""
    return [lesson_file(lesson) for lesson in lessons()]


def find(exercise_id: str) -> Exercise:
    """The exercise ``N.K``; anything else is a :class:`runtime.UsageError` that lists the valid ids."""
    exercise = BY_ID.get(exercise_id.strip())
    if exercise is not None:
        return exercise
    lesson_part = exercise_id.split(".")[0]
    if lesson_part.isdigit() and int(lesson_part) in lessons():
        ids = ", ".join(e.id for e in for_lesson(int(lesson_part)))
        if "." not in exercise_id:
            raise runtime.UsageError(
                f"name one exercise as N.K, e.g. {ids.split(',')[0]} (lesson {lesson_part} has {ids})"
            )
        raise runtime.UsageError(f"unknown exercise '{exercise_id}': lesson {lesson_part} has {ids}")
    raise runtime.UsageError(
        f"unknown exercise '{exercise_id}': write it as N.K, e.g. 2.1; lessons {lessons()[0]}-{lessons()[-1]} have exercises"
    )


def select(which: str | None) -> list[Exercise]:
    """The exercises ``check`` runs: all (None), a lesson's (``"N"``), or one (``"N.K"``)."""
    if which is None or which == "all":
        return list(EXERCISES)
    if "." in which:
        return [find(which)]
    if which.strip().isdigit() and int(which) in lessons():
        return for_lesson(int(which))
    raise runtime.UsageError(
        f"unknown lesson or exercise '{which}': lessons {lessons()[0]}-{lessons()[-1]} have exercises "
        "(check N for a lesson, N.K for one exercise)"
    )
