# %% [markdown]
# # Lesson 18 — Deploying the digit classifier as a web app
#
# A trained network is only useful when someone can use it. Here we put lesson 14's digit classifier behind a
# small **web app** written with Flask: a program that waits for requests over the network and answers each one.
# Our app has one **route**: a client sends a picture of a digit with `POST /predict`, and the app answers with
# the digit it sees, in JSON. Then we talk to the app in the three ways that matter:
#
# 1. Flask's **test client**, which calls the app directly, without any network (what tests use);
# 2. a real HTTP request over the loopback network (`127.0.0.1`, this machine only) to a real server, waitress;
# 3. your browser, with a page to draw digits on: `pytorch-tutorial serve`.

# %%
import io
import json
import urllib.request
import uuid

import torch
from flask import Flask, request
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision.transforms import v2

from pytorch_tutorial import engine, predict, runtime, webapp
from pytorch_tutorial.data import mnist
from pytorch_tutorial.models import LeNet

cfg = runtime.settings(epochs=4, batch_size=64, lr=0.001)
device = runtime.device()
print(f"computing on {device}")

# %% [markdown]
# ## Train and save the model
# The network is lesson 14's LeNet, trained as there on the training digits (padded to 32x32 and normalised),
# with the Adam optimizer so that a few epochs are enough. We save its `state_dict` together with what is needed
# to use it again: the architecture, the input size and the normalisation (lesson 17).

# %%
prepare = v2.Compose([v2.Pad(2), v2.Normalize(mean=[mnist.MEAN], std=[mnist.STD])])
train_images, train_labels = mnist.tensors(train=True)
test_images, test_labels = mnist.tensors(train=False)
train_loader = DataLoader(
    TensorDataset(prepare(train_images), train_labels),
    batch_size=cfg.batch_size,
    shuffle=True,
    generator=runtime.generator(),
)
test_loader = DataLoader(TensorDataset(prepare(test_images), test_labels), batch_size=500)

model = LeNet().to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
for epoch in range(cfg.epochs):
    loss = engine.train_epoch(model, train_loader, nn.CrossEntropyLoss(), optimizer, device)
    print(f"epoch {epoch + 1}/{cfg.epochs}: mean training loss {loss:.4f}")
test_accuracy = engine.evaluate(model, test_loader, device)
print(f"accuracy on {len(test_labels)} test digits: {test_accuracy:.1%}")

model_path = runtime.output_path("lenet_mnist.pt")
saved = {"arch": "LeNet", "in_channels": 1, "num_classes": 10, "input_size": 32, "mean": mnist.MEAN, "std": mnist.STD}
torch.save({**saved, "state_dict": model.cpu().state_dict()}, model_path)
print(f"saved the trained model: {model_path}")

# %% [markdown]
# ## The app
# A server loads the model **once**, when it starts, not for every request: loading takes far longer than one
# prediction. It loads it safely, with `weights_only=True`, so that a tampered file cannot run code (lesson 17).
#
# A picture someone sends is not an MNIST digit: it is large, often dark ink on white, and the digit sits
# anywhere. `predict.mnist_like` prepares it the way the MNIST digits were made — ink bright on dark, cropped to
# the ink, scaled into a 20x20 box, centred by its centre of mass in 28x28 — exactly as `pytorch-tutorial predict`
# does; `predict.model_input` pads it to 32x32 and normalises it.
#
# Flask calls the function under `@app.post("/predict")` for every `POST` request to `/predict`. The image
# arrives as a **multipart form** field named `file` (what an HTML form or `curl -F file=@digit.png` sends);
# `request.files` holds it. Returning a dict answers with JSON, and the number after it is the HTTP **status
# code**: 200 means OK, a 4xx says the client sent something wrong (400: bad request, 413: too large).

# %%
model = LeNet()
model.load_state_dict(torch.load(model_path, weights_only=True)["state_dict"])
model.eval()


def top3(image):
    """The three most probable digits for a PIL image of one digit, as (digit, probability) pairs."""
    digit = predict.mnist_like(image)  # 28x28, ink bright on dark, centred like an MNIST digit
    x = predict.model_input(digit, 32, mnist.MEAN, mnist.STD)  # (1, 1, 32, 32), normalised
    with torch.no_grad():
        probabilities = torch.softmax(model(x), dim=1)[0]
    values, digits = probabilities.topk(3)
    return [(int(d), float(p)) for d, p in zip(digits, values, strict=True)]


app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024  # larger uploads are refused (413)


@app.post("/predict")
def predict_digit():
    """Answer a PNG or JPEG sent as the form field 'file' with the top-3 digits, as JSON."""
    file = request.files.get("file")
    if file is None:
        return {"error": "no file: send the image as a multipart form field named 'file'"}, 400
    try:
        image = predict.read_image(file.read(), "the upload", formats=("PNG", "JPEG"))
        best = top3(image)
    except predict.ImageError as error:  # an empty file, not a PNG or JPEG, no digit on it
        return {"error": str(error)}, 400
    top = [{"digit": d, "class_name": str(d), "probability": round(p, 4)} for d, p in best]
    return {"prediction": best[0][0], "class_name": str(best[0][0]), "top3": top}


print(f"uploads up to {app.config['MAX_CONTENT_LENGTH']:,} bytes")

# %% [markdown]
# ## 1. Flask's test client
# The test client sends requests straight into the app, in this process: no server, no network. We send the
# first test digit as a PNG file, then make a mistake on purpose (a field named `image` instead of `file`).

# %%
digit_image = Image.fromarray((test_images[0, 0] * 255).to(torch.uint8).numpy())
buffer = io.BytesIO()
digit_image.save(buffer, format="PNG")
png_bytes = buffer.getvalue()
true_digit = test_labels[0].item()

print(f"prepared: {tuple(predict.mnist_like(digit_image).shape)} for the model as (1, 1, 32, 32)")
client = app.test_client()
response = client.post("/predict", data={"file": (io.BytesIO(png_bytes), "digit.png")})
client_answer = response.get_json()
print(f"the true digit is {true_digit}; the app answers {response.status_code}: {client_answer}")
response = client.post("/predict", data={"image": (io.BytesIO(png_bytes), "digit.png")})
wrong_field_status = response.status_code
print(f"wrong field name: {wrong_field_status} {response.get_json()}")

# %% [markdown]
# ## 2. A real server, a real request
# `app.run()` starts Flask's own server, which is meant for development only. In production a WSGI server runs
# the app: waitress (pure Python, also on Windows). `waitress.serve(app, host="127.0.0.1", port=8000)` serves
# until Ctrl-C; here we want the server and its client in one script, so `webapp.BackgroundServer` starts
# waitress in a background thread, on port 0 — "any free port" — and stops it again.
#
# The client is what the original lesson does with `requests.post(url, files={"file": f})`, written with the
# standard library's `urllib`: a multipart body is the file between two "boundary" lines.

# %%
server = webapp.BackgroundServer(app)
print(f"waitress is serving the app at {server.url}")

boundary = uuid.uuid4().hex
head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="digit.png"\r\n\r\n'
body = head.encode() + png_bytes + f"\r\n--{boundary}--\r\n".encode()
http_request = urllib.request.Request(
    f"{server.url}/predict", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
)
with urllib.request.urlopen(http_request, timeout=10) as http_response:
    server_status = http_response.status
    server_answer = json.load(http_response)
print(f"over the network: {server_status} {server_answer}")
server.stop()
print(f"server stopped: {not server.thread.is_alive()}")

# %% [markdown]
# ## 3. In your browser
# `pytorch-tutorial serve` runs the course's version of this app (`pytorch_tutorial.webapp`) under waitress. It
# adds a page at `/` with a canvas to draw on (mouse or finger), *Predict* and *Clear* buttons, and the top 3
# as bars. The page needs nothing from the internet.

# %%
print("Start the server, then open the address it prints (Ctrl-C stops it):")
print(f"    pytorch-tutorial serve --checkpoint {model_path}")
print("    http://127.0.0.1:8000/")

runtime.report(
    test_accuracy=test_accuracy,
    true_digit=true_digit,
    client_prediction=client_answer["prediction"],
    server_prediction=server_answer["prediction"],
)

# %% [markdown]
# ## Going further
#
# ### Every bad request is answered, and the server carries on
# The course's app (`webapp.create_app`) answers every mistake with a 4xx status and a JSON error that names
# it, logs it, and answers the next request as usual. It uses finer status codes than our app: 415 for a file
# that is not a PNG or JPEG, 413 for an upload over the limit or an image with too many pixels (a
# "decompression bomb": a small file that would decode to a huge image), 422 for an image without a digit,
# 405 for a wrong method, 404 for a wrong address.

# %%
course_app = webapp.create_app(model_path)
course_client = course_app.test_client()
bomb = io.BytesIO()
Image.new("1", (6000, 6000)).save(bomb, format="PNG")
print(f"the bomb: {6000 * 6000:,} pixels in a PNG file of {len(bomb.getvalue()):,} bytes")
blank = io.BytesIO()
Image.new("L", (280, 280), 255).save(blank, format="PNG")
bad_requests = {
    "no file": {},
    "wrong field name": {"image": (io.BytesIO(png_bytes), "digit.png")},
    "empty file": {"file": (io.BytesIO(b""), "digit.png")},
    "not an image": {"file": (io.BytesIO(b"hello, world"), "digit.png")},
    "blank page": {"file": (io.BytesIO(blank.getvalue()), "blank.png")},
    "decompression bomb": {"file": (io.BytesIO(bomb.getvalue()), "bomb.png")},
    "too large": {"file": (io.BytesIO(bytes(3 * 1024 * 1024)), "huge.png")},
}
bad_statuses = {}
for name, data in bad_requests.items():
    response = course_client.post("/predict", data=data)
    bad_statuses[name] = response.status_code
    print(f"{name:<19} {response.status_code}  {response.get_json()['error']}")
for path in ("/predict", "/nowhere"):
    response = course_client.get(path)
    bad_statuses[f"GET {path}"] = response.status_code
    print(f"{'GET ' + path:<19} {response.status_code}  {response.get_json()['error']}")
response = course_client.post("/predict", data={"file": (io.BytesIO(png_bytes), "digit.png")})
print(f"and then a digit:   {response.status_code}  {response.get_json()}")
same_answer = response.get_json() == client_answer
print(f"the course's app and ours give the same answer: {same_answer}")
page = course_client.get("/")
print(f"GET / : {page.status_code}, {len(page.data):,} bytes of HTML, style and script inline")

# %% [markdown]
# ### How fast is one prediction?
# Each request decodes the image, prepares it and runs the network once. Over the loopback network:

# %%
import time

with webapp.BackgroundServer(course_app) as timed_server:
    timings = []
    for _ in range(20):
        http_request = urllib.request.Request(
            f"{timed_server.url}/predict",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        start = time.perf_counter()
        with urllib.request.urlopen(http_request, timeout=10) as http_response:
            http_response.read()
        timings.append(time.perf_counter() - start)
median_ms = 1000 * sorted(timings)[len(timings) // 2]
print(f"median time of {len(timings)} requests: {median_ms:.1f} ms")
runtime.report(bad_statuses=bad_statuses, same_answer=same_answer, median_ms=round(median_ms, 1))

# %% [markdown]
# ### Deploying it for real
# `pytorch-tutorial serve --host 0.0.0.0 --port 8000` listens on every network interface, so other machines can
# reach it (only do that on a network you trust, or behind a reverse proxy with HTTPS). A container image that
# trains the model while it is built and serves it when it runs — a `Dockerfile` at the top of the course:
#
# ```dockerfile
# FROM python:3.12-slim
# WORKDIR /app
# COPY . .
# RUN pip install --no-cache-dir torch==2.14.1 torchvision==0.29.1 --index-url https://download.pytorch.org/whl/cpu \
#  && pip install --no-cache-dir -r requirements.txt -e . \
#  && pytorch-tutorial run 18 --quiet
# EXPOSE 8000
# CMD ["pytorch-tutorial", "serve", "--host", "0.0.0.0", "--port", "8000"]
# ```
#
# `docker build -t digits . && docker run -p 8000:8000 digits`, then open http://127.0.0.1:8000/. (The first
# `pip install` takes the CPU-only build of torch, a fraction of the size of the CUDA build.) Hosts that run a
# `Procfile` (Heroku, Dokku, Render and others) need one line, with the port they choose:
#
# ```
# web: pytorch-tutorial serve --host 0.0.0.0 --port $PORT --checkpoint outputs/18-deploy/lenet_mnist.pt
# ```
#
# **waitress's settings.** waitress answers requests with a small pool of worker threads
# (`pytorch-tutorial serve --threads 8` for more). One prediction takes milliseconds and PyTorch itself runs on several
# cores, so a few threads are enough for one machine; more threads help when clients are slow to send their
# uploads. `waitress-serve` takes the app from a factory and all of waitress's settings (`--threads`,
# `--connection-limit`, `--channel-timeout`, `--max-request-body-size`), for example
# `waitress-serve --listen=0.0.0.0:8000 --threads=8 --call pytorch_tutorial.webapp:create_app` (the model from
# `$PYTORCH_TUTORIAL_CHECKPOINT`, by default `outputs/18-deploy/lenet_mnist.pt`). To use every core, run one
# process per core behind a load balancer; each process loads its own copy of the model.
