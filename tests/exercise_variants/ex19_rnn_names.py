"""Variants of lesson 19's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # NFC keeps "é" as one character, which is not among the 57 letters: the whole letter is dropped
    "19.1": (
        "def unicode_to_ascii(text):\n"
        "    text = unicodedata.normalize('NFC', text)\n"
        "    return ''.join(ch for ch in text if unicodedata.category(ch) != 'Mn' and ch in ALL_LETTERS)",
        "'NFD'",
    ),
    # one row per letter, without the batch dimension of one name
    "19.2": (
        "def name_to_tensor(name):\n"
        "    tensor = torch.zeros(len(name), len(ALL_LETTERS))\n"
        "    for i, letter in enumerate(name):\n"
        "        tensor[i, ALL_LETTERS.index(letter)] = 1\n"
        "    return tensor",
        "batch dimension",
    ),
    # a fresh hidden state for every letter: the network only ever sees the last letter
    "19.3": (
        "def read_name(name_tensor, i2h, i2o):\n"
        "    for letter in name_tensor:\n"
        "        hidden = torch.zeros(1, i2h.out_features)\n"
        "        combined = torch.cat((letter, hidden), dim=1)\n"
        "        output = torch.log_softmax(i2o(combined), dim=1)\n"
        "        hidden = torch.tanh(i2h(combined))\n"
        "    return output",
        "from letter to letter",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "19.1": [
        # unicodedata.combining instead of the category, a set for the letters
        "def unicode_to_ascii(text):\n"
        "    allowed = set(ALL_LETTERS)\n"
        "    kept = [ch for ch in unicodedata.normalize('NFD', text) if not unicodedata.combining(ch)]\n"
        "    return ''.join(ch for ch in kept if ch in allowed)",
        # accents dropped by encoding to ASCII, then the characters outside the 57 filtered out
        "def unicode_to_ascii(text):\n"
        "    plain = unicodedata.normalize('NFD', text).encode('ascii', 'ignore').decode('ascii')\n"
        "    return ''.join(filter(ALL_LETTERS.__contains__, plain))",
    ],
    "19.2": [
        # one_hot of the letters' indices, a batch dimension added with unsqueeze
        "def name_to_tensor(name):\n"
        "    indices = torch.tensor([ALL_LETTERS.index(letter) for letter in name])\n"
        "    return torch.nn.functional.one_hot(indices, len(ALL_LETTERS)).float().unsqueeze(1)",
        # the lesson's way: one (1, 57) tensor per letter, stacked
        "def name_to_tensor(name):\n"
        "    def letter_to_tensor(letter):\n"
        "        tensor = torch.zeros(1, len(ALL_LETTERS))\n"
        "        tensor[0][ALL_LETTERS.index(letter)] = 1\n"
        "        return tensor\n"
        "    return torch.stack([letter_to_tensor(letter) for letter in name])",
    ],
    "19.3": [
        # nn.functional's log_softmax, the hidden state made like the letter, indices instead of iteration
        "def read_name(name_tensor, i2h, i2o):\n"
        "    hidden = name_tensor.new_zeros(1, i2h.weight.shape[0])\n"
        "    for i in range(name_tensor.shape[0]):\n"
        "        combined = torch.cat([name_tensor[i], hidden], 1)\n"
        "        output, hidden = nn.functional.log_softmax(i2o(combined), dim=-1), i2h(combined).tanh()\n"
        "    return output",
        # the output computed once, after the last letter, from the last letter and the hidden state before it
        "def read_name(name_tensor, i2h, i2o):\n"
        "    hidden = torch.zeros(1, i2h.out_features)\n"
        "    for letter in name_tensor[:-1]:\n"
        "        hidden = torch.tanh(i2h(torch.cat((letter, hidden), dim=1)))\n"
        "    return i2o(torch.cat((name_tensor[-1], hidden), dim=1)).log_softmax(dim=1)",
    ],
}
