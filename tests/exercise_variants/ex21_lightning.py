"""Variants of lesson 21's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

_LIT_HEAD = (
    "class LitClassifier(L.LightningModule):\n"
    "    def __init__(self, input_size, hidden_size, num_classes, lr):\n"
    "        super().__init__()\n"
    "        self.save_hyperparameters()\n"
    "        self.l1 = nn.Linear(input_size, hidden_size)\n"
    "        self.l2 = nn.Linear(hidden_size, num_classes)\n"
    "\n"
    "    def forward(self, x):\n"
    "        return self.l2(torch.relu(self.l1(x.reshape(len(x), -1))))\n"
    "\n"
    "    def validation_step(self, batch, batch_idx):\n"
    "        x, y = batch\n"
    "        logits = self(x)\n"
    "        self.log('val_loss', nn.functional.cross_entropy(logits, y))\n"
    "        self.log('val_acc', (logits.argmax(dim=1) == y).float().mean())\n"
    "\n"
    "    def configure_optimizers(self):\n"
    "        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)\n"
    "\n"
)

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # returns the loss as a Python number: there is nothing left for Lightning to call backward() on
    "21.1": (
        _LIT_HEAD + "    def training_step(self, batch, batch_idx):\n"
        "        x, y = batch\n"
        "        loss = nn.functional.cross_entropy(self(x), y)\n"
        "        self.log('train_loss', loss)\n"
        "        return loss.item()",
        "not loss.item()",
    ),
    # validates in evaluation mode but records a graph for every validation batch
    "21.2": (
        "def fit(model, train_loader, val_loader, epochs):\n"
        "    optimizer = model.configure_optimizers()\n"
        "    for epoch in range(epochs):\n"
        "        model.train()\n"
        "        for i, batch in enumerate(train_loader):\n"
        "            loss = model.training_step(batch, i)\n"
        "            loss.backward()\n"
        "            optimizer.step()\n"
        "            optimizer.zero_grad()\n"
        "        model.eval()\n"
        "        for i, batch in enumerate(val_loader):\n"
        "            model.validation_step(batch, i)",
        "torch.no_grad()",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "21.1": [
        # nn.Sequential with nn.Flatten, F.cross_entropy, log_dict, a count divided by the batch size, lr kept in
        # an attribute, and the forms {"loss": loss} and {"optimizer": ...} that Lightning accepts too
        "import torch.nn.functional as F\n"
        "\n"
        "class LitClassifier(L.LightningModule):\n"
        "    def __init__(self, input_size, hidden_size, num_classes, lr):\n"
        "        super().__init__()\n"
        "        self.lr = lr\n"
        "        self.net = nn.Sequential(\n"
        "            nn.Flatten(), nn.Linear(input_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, num_classes)\n"
        "        )\n"
        "\n"
        "    def forward(self, x):\n"
        "        return self.net(x)\n"
        "\n"
        "    def training_step(self, batch, batch_idx):\n"
        "        x, y = batch\n"
        "        loss = F.cross_entropy(self(x), y)\n"
        "        self.log('train_loss', loss, prog_bar=True)\n"
        "        return {'loss': loss}\n"
        "\n"
        "    def validation_step(self, batch, batch_idx):\n"
        "        x, y = batch\n"
        "        logits = self(x)\n"
        "        correct = (logits.argmax(dim=1) == y).sum()\n"
        "        self.log_dict({'val_loss': F.cross_entropy(logits, y), 'val_acc': correct / len(y)})\n"
        "\n"
        "    def configure_optimizers(self):\n"
        "        return {'optimizer': torch.optim.Adam(self.parameters(), lr=self.lr)}",
    ],
    "21.2": [
        # zero_grad first, a counter instead of enumerate, inference_mode and train(False)
        "def fit(model, train_loader, val_loader, epochs):\n"
        "    optimizer = model.configure_optimizers()\n"
        "    for epoch in range(epochs):\n"
        "        model.train()\n"
        "        index = 0\n"
        "        for batch in train_loader:\n"
        "            optimizer.zero_grad()\n"
        "            model.training_step(batch, index).backward()\n"
        "            optimizer.step()\n"
        "            index += 1\n"
        "        model.train(False)\n"
        "        with torch.inference_mode():\n"
        "            for index, batch in enumerate(val_loader):\n"
        "                model.validation_step(batch, batch_idx=index)",
    ],
}
