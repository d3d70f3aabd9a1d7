"""Files: weight files (weightfile), idx data sets (idx), export of a trained model
(export), and the shared test vectors' contents (shared_vectors)."""
