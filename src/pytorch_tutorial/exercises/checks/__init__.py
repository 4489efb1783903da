"""One check module per lesson's exercise file; importing this package registers every check."""

from pytorch_tutorial.exercises.checks import (  # noqa: F401
    ex02_tensors,
    ex03_autograd,
    ex04_backpropagation,
    ex05_gradient_descent,
    ex06_training_pipeline,
    ex07_linear_regression,
    ex08_logistic_regression,
    ex09_dataloader,
    ex10_transforms,
    ex11_softmax_crossentropy,
    ex12_activations,
    ex13_feedforward,
    ex14_cnn,
    ex15_transfer_learning,
    ex16_tensorboard,
    ex17_save_load,
    ex18_deploy,
    ex19_rnn_names,
    ex20_rnn_lstm_gru,
    ex21_lightning,
)
