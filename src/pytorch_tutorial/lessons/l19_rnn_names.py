# %% [markdown]
# # Lesson 19 — Which language is a surname from? A recurrent network, letter by letter
#
# A name is a sequence of letters of any length. A **recurrent neural network** (RNN) reads it one letter at a
# time and carries a *hidden state* from letter to letter: a vector of numbers that sums up what it has read so
# far. After the last letter it turns the hidden state into a score for each language. This is PyTorch's
# tutorial "Classifying names with a character-level RNN": first the network written by hand, then the same
# network with PyTorch's `nn.RNN`.

# %%
import random
import string
import unicodedata

import torch
from torch import nn

from pytorch_tutorial import engine, runtime
from pytorch_tutorial.data import names as names_data

cfg = runtime.settings(
    n_iters=runtime.between(2000, 0, 200_000), lr=runtime.between(0.05, 0.0001, 1.0), names="Schmidt,Rossi,Nakamura"
)
device = runtime.device()  # the GPU if there is one (lesson 1), else the CPU
torch.set_num_threads(1)  # one name at a time: the matrices are too small to be worth sharing out between cores

# %% [markdown]
# ## From Unicode to 57 letters
# The network knows 57 characters: the 52 ASCII letters and `` .,;'``. Names with accents are turned into
# these letters: Unicode's normal form NFD splits "é" into "e" and a *combining* accent (Unicode category `Mn`),
# and we keep only the characters that are neither combining marks nor outside the 57.

# %%
ALL_LETTERS = string.ascii_letters + " .,;'"
N_LETTERS = len(ALL_LETTERS)


def unicode_to_ascii(text):
    text = unicodedata.normalize("NFD", text)  # "é" -> "e" and a combining accent
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn" and ch in ALL_LETTERS)


print(f"{N_LETTERS} letters; 'Ślusàrski' -> '{unicode_to_ascii('Ślusàrski')}'")

# %% [markdown]
# ## Letters and names as tensors
# A letter becomes a *one-hot* vector: 57 zeros with a single 1 at the letter's index, shape `(1, 57)` (a batch
# of one). A name of 5 letters becomes a tensor `(5, 1, 57)`: `torch.stack` puts its 5 letter tensors one after
# the other along a new first dimension.


# %%
def letter_to_tensor(letter):
    tensor = torch.zeros(1, N_LETTERS)
    tensor[0][ALL_LETTERS.index(letter)] = 1
    return tensor


def name_to_tensor(name):
    return torch.stack([letter_to_tensor(letter) for letter in name])


print(f"letter_to_tensor('J'): shape {tuple(letter_to_tensor('J').shape)}, the 1 at index {ALL_LETTERS.index('J')}")
print(f"name_to_tensor('Jones'): shape {tuple(name_to_tensor('Jones').shape)}")

# %% [markdown]
# ## The names
# One file per language, one surname per line: 15 of the original's 18 languages, made from the surname lists
# of the Faker package (the README says how; `--full-data` downloads the original tutorial's 20,000 names in 18
# languages instead). A language's number is its *label*. We keep a fifth of each language's names apart for
# testing, picked at random: the same share of every language, a **stratified** split, so that even the smallest
# language is tested (scikit-learn's `train_test_split(..., stratify=labels)` does the same). Every name becomes
# its tensor once, before training; `train_tensors[label]` holds the training names of one language.

# %%
names_by_language = names_data.load()
languages = list(names_by_language)
train_tensors, test_tensors, test_labels = [], [], []
for label, (language, names) in enumerate(names_by_language.items()):
    names = [unicode_to_ascii(name) for name in names]
    random.shuffle(names)
    n_test = round(0.2 * len(names))
    train_tensors.append([name_to_tensor(name).to(device) for name in names[n_test:]])
    test_tensors += [name_to_tensor(name).to(device) for name in names[:n_test]]
    test_labels += [label] * n_test
    print(f"{language:<11} {len(names):>5} names, e.g. {', '.join(names[:3])}")
print(f"{sum(map(len, train_tensors))} names to train on, {len(test_tensors)} to test ({names_data.source()} data)")

# %% [markdown]
# ## The recurrent network, by hand
# One **step** takes a letter and the hidden state, glues them together with `torch.cat` (57 + 128 numbers) and
# computes two things from them: the new hidden state (`i2h`, then `tanh`) and the output (`i2o`, then
# log-softmax: the log of a probability per language). Reading a name (`forward`) is one step per letter,
# starting from a hidden state of zeros; the output after the last letter is the answer. (The original tutorial
# leaves out the `tanh`; with it the hidden state stays between -1 and 1 however long the name, and the step is
# the one `nn.RNN` computes, as "Going further" shows.)


# %%
class RNN(nn.Module):
    """The character-level RNN of PyTorch's name tutorial: i2h and i2o on [letter, hidden state]."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def step(self, letter, hidden):
        combined = torch.cat((letter, hidden), dim=1)  # (1, 57 + hidden_size)
        return self.softmax(self.i2o(combined)), torch.tanh(self.i2h(combined))

    def forward(self, name_tensor):
        hidden = torch.zeros(1, self.hidden_size, device=name_tensor.device)
        for letter in name_tensor:  # (1, 57) at a time
            output, hidden = self.step(letter, hidden)
        return output  # log-probabilities (1, languages) after the last letter


rnn = RNN(N_LETTERS, 128, len(languages)).to(device)
output, hidden = rnn.step(letter_to_tensor("A").to(device), torch.zeros(1, 128, device=device))
print(f"one step: output {tuple(output.shape)} (a log-probability per language), hidden {tuple(hidden.shape)}")

# %% [markdown]
# ## Training: one random name at a time
# As in the original: pick a random language, then a random training name of it (so that Japanese, with 39
# training names, comes up as often as Dutch with 400), read the name, compare the output with its language with
# `NLLLoss` (the negative log-likelihood; log-softmax followed by `NLLLoss` is `CrossEntropyLoss` in two parts),
# backward pass, one step of plain SGD. The original sees 100,000 names with `lr=0.005`; to take seconds, we see
# 2,000 and take bigger steps. `train` keeps the mean loss of every 100 names for the plot; "Going further"
# trains `nn.RNN` with it too. The loss starts near ln 15 = 2.7, the loss of a guess that gives all 15 languages
# the same probability, and is still falling at the end: more names would help.

# %%
loss_fn = nn.NLLLoss()


def train(model):
    """n_iters steps of plain SGD, each on one name of a random language; the mean loss of every 100 names."""
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    losses, running_loss = [], 0.0
    for step in range(1, cfg.n_iters + 1):
        label = random.randrange(len(languages))
        loss = loss_fn(model(random.choice(train_tensors[label])), torch.tensor([label], device=device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if step % 100 == 0:
            losses.append(running_loss / 100)
            running_loss = 0.0
    return losses


losses = train(rnn)
plt = runtime.pyplot()
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot([100 * (k + 1) for k in range(len(losses))], losses)
ax.set(xlabel="training names seen", ylabel="mean NLL loss of the last 100", title="Training loss, RNN by hand")
runtime.save_figure(fig, "training_loss.png")

# %% [markdown]
# ## How good is it? Test names, against two baselines
# Guessing at random is right once in as many tries as there are languages (*chance*). Always answering the
# language with the most training names is the *majority-class baseline*. A model that learned something beats
# both, on names it never saw.

# %%
rnn.eval()
with torch.no_grad():
    predictions = torch.tensor([rnn(name_tensor).argmax().item() for name_tensor in test_tensors])
test_targets = torch.tensor(test_labels)
test_accuracy = (predictions == test_targets).float().mean().item()
chance = 1 / len(languages)
majority = max(range(len(languages)), key=lambda label: len(train_tensors[label]))
majority_baseline = test_labels.count(majority) / len(test_labels)
print(f"test accuracy {test_accuracy:.1%}; chance {chance:.1%}; always {languages[majority]} {majority_baseline:.1%}")

# %% [markdown]
# ## Your names
# The three most likely languages of each name in the setting `names` (try `--set names=Dvorak,Okafor,Tanaka`).
# `exp` turns the log-probabilities back into probabilities, and `topk(3)` picks the three largest. After 2,000
# names the network is unsure, and often wrong: `--set n_iters=20000 --set lr=0.01` (smaller steps for a longer
# training; about a minute) does better on the test names and on these.

# %%
top3 = {}
for name in [unicode_to_ascii(name.strip()) for name in cfg.names.split(",")]:
    if name:  # a name with none of our 57 letters leaves nothing to read
        with torch.no_grad():
            probabilities, labels = rnn(name_to_tensor(name).to(device)).exp().topk(3)
        top3[name] = [(languages[label], p.item()) for p, label in zip(probabilities[0], labels[0], strict=True)]
        print(f"{name:>12}: " + ", ".join(f"{language} {p:.0%}" for language, p in top3[name]))

# %%
runtime.report(test_accuracy=test_accuracy, chance=chance, majority_baseline=majority_baseline)

# %% [markdown]
# ## Going further
# ### Where it goes wrong
# Row = the true language, column = the network's guess, each row scaled to 1: the diagonal is the share of each
# language's test names that it gets right. Languages with the same spelling habits take names from each other
# (Czech and Russian women's names both end in -ova); the largest mix-ups are printed below the figure.

# %%
confusion = engine.confusion_matrix(predictions, test_targets, num_classes=len(languages))
shares = confusion / confusion.sum(dim=1, keepdim=True)
fig, ax = plt.subplots(figsize=(7, 6))
ax.imshow(shares.numpy(), cmap="Blues", vmin=0, vmax=1)
ax.set_xticks(range(len(languages)), languages, rotation=90)
ax.set_yticks(range(len(languages)), languages)
ax.set(xlabel="guessed language", ylabel="true language", title=f"Test names (accuracy {test_accuracy:.1%})")
runtime.save_figure(fig, "confusion_matrix.png")
mistakes = shares.clone().fill_diagonal_(0)  # the right guesses left out
mix_ups = [divmod(index, len(languages)) for index in mistakes.flatten().topk(3).indices.tolist()]
for true, guess in mix_ups:
    print(f"{shares[true, guess]:.0%} of the {languages[true]} test names are guessed {languages[guess]}")

# %% [markdown]
# ### The same network with `nn.RNN`
# `nn.RNN(57, 128)` does the `i2h` half of our step for every letter: h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh).
# Given a whole name `(letters, 1, 57)` it returns the hidden state after every letter (`output`, shape
# `(letters, 1, 128)`) and after the last one (`h_n`, shape `(1, 1, 128)`: one layer, one name). A linear layer
# turns the last hidden state into the language scores (it reads the new hidden state, where our `i2o` read the
# letter and the old one). This is `CharRNN` of PyTorch's current version of the tutorial. Same training, same
# number of names.


# %%
class CharRNN(nn.Module):
    """nn.RNN over the letters, then a linear layer and log-softmax on the last hidden state."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, name_tensor):
        output, h_n = self.rnn(name_tensor)
        return self.softmax(self.h2o(h_n[0]))


char_rnn = CharRNN(N_LETTERS, 128, len(languages)).to(device)
output, h_n = char_rnn.rnn(name_to_tensor("Jones").to(device))
print(f"nn.RNN on 'Jones': output {tuple(output.shape)}, h_n {tuple(h_n.shape)}")

char_rnn_losses = train(char_rnn)
char_rnn.eval()
with torch.no_grad():
    char_rnn_predictions = torch.tensor([char_rnn(name_tensor).argmax().item() for name_tensor in test_tensors])
nn_rnn_test_accuracy = (char_rnn_predictions == test_targets).float().mean().item()
print(f"test accuracy: nn.RNN {nn_rnn_test_accuracy:.1%}, by hand {test_accuracy:.1%}")

# %% [markdown]
# ### `nn.RNN` is our `i2h`
# Copy the weights of the trained `i2h` into an `nn.RNN`: their first 57 columns are `W_ih` (they multiply the
# letter), the other 128 `W_hh` (they multiply the hidden state), and `nn.RNN`'s second bias is set to 0. Both
# then compute the same hidden states, up to float rounding.

# %%
same_as_i2h = nn.RNN(N_LETTERS, 128).to(device)
with torch.no_grad():
    same_as_i2h.weight_ih_l0.copy_(rnn.i2h.weight[:, :N_LETTERS])
    same_as_i2h.weight_hh_l0.copy_(rnn.i2h.weight[:, N_LETTERS:])
    same_as_i2h.bias_ih_l0.copy_(rnn.i2h.bias)
    same_as_i2h.bias_hh_l0.zero_()
    name_tensor = name_to_tensor("Nakamura").to(device)
    hidden = torch.zeros(1, 128, device=device)
    for letter in name_tensor:
        _, hidden = rnn.step(letter, hidden)
    _, h_n = same_as_i2h(name_tensor)
largest_difference = (h_n[0] - hidden).abs().max().item()
print(f"hidden state after 'Nakamura', by hand vs nn.RNN: largest difference {largest_difference:.1e}")

# %%
runtime.report(nn_rnn_test_accuracy=nn_rnn_test_accuracy)
