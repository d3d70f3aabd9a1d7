"""Training for bit-slice sparsity: statistics (sparsity), regularizers, pruning, k-means
column exchange and crossbar pruning (mapping), and the training loop (trainer)."""
