"""Dataset access: the data shipped inside the package and the real loaders (torchvision, scikit-learn).

One module per source: :mod:`.mnist` (embedded MNIST subset, full MNIST, a learner's own copy), :mod:`.idx`
(MNIST's IDX file format).
"""
