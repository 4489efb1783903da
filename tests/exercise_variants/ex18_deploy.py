"""Variants of lesson 18's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # forgets the polarity: on light paper every pixel of the paper is "ink"
    "18.1": (
        "def crop_to_ink(pixels):\n"
        "    rows = torch.nonzero((pixels > 0.5).any(dim=1)).flatten()\n"
        "    cols = torch.nonzero((pixels > 0.5).any(dim=0)).flatten()\n"
        "    return pixels[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]",
        "invert",
    ),
    # no try/except around Image.open: a file that is not an image becomes a 500
    "18.2": (
        "def create_app(classify):\n"
        "    app = Flask(__name__)\n\n"
        "    @app.post('/predict')\n"
        "    def predict_digit():\n"
        "        file = request.files.get('file')\n"
        "        if file is None:\n"
        "            return {'error': 'no file'}, 400\n"
        "        data = file.read()\n"
        "        if not data:\n"
        "            return {'error': 'empty'}, 400\n"
        "        best = classify(Image.open(io.BytesIO(data)))\n"
        "        top3 = [{'digit': d, 'probability': p} for d, p in best]\n"
        "        return {'prediction': best[0][0], 'class_name': str(best[0][0]), 'top3': top3}\n\n"
        "    return app",
        "415",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "18.1": [
        # NumPy, with a bounding box from np.where
        "import numpy as np\n\n"
        "def crop_to_ink(pixels):\n"
        "    a = pixels.numpy()\n"
        "    if np.median(np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])) > 0.5:\n"
        "        a = 1.0 - a\n"
        "    ys, xs = np.where(a > 0.5)\n"
        "    return torch.from_numpy(a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].copy())",
    ],
    "18.2": [
        # request.files['file'] with KeyError, jsonify, route(methods=...), PIL's verify()
        "from flask import jsonify\n\n"
        "def create_app(classify):\n"
        "    app = Flask('digits')\n\n"
        "    @app.route('/predict', methods=['POST'])\n"
        "    def predict():\n"
        "        try:\n"
        "            upload = request.files['file']\n"
        "        except KeyError:\n"
        "            return jsonify(error='send the image as the field file'), 400\n"
        "        raw = upload.stream.read()\n"
        "        if len(raw) == 0:\n"
        "            return jsonify(error='empty upload'), 400\n"
        "        try:\n"
        "            Image.open(io.BytesIO(raw)).verify()\n"
        "        except Exception:\n"
        "            return jsonify(error='not an image'), 415\n"
        "        ranked = classify(Image.open(io.BytesIO(raw)))\n"
        "        digit = ranked[0][0]\n"
        "        return jsonify(\n"
        "            prediction=digit,\n"
        "            class_name=f'{digit}',\n"
        "            top3=[{'digit': d, 'class_name': str(d), 'probability': p} for d, p in ranked],\n"
        "        )\n\n"
        "    return app",
    ],
}
