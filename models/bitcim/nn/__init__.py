"""Quantized torch.nn layers configured by an HwConfig (layers), their quantizers with
straight-through estimators (ste, act_quant), and the model zoo (zoo)."""
