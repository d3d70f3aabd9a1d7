import json

import torch

from bitcim.hw.quant import ceil_log2, quantize_dfp, quantize_sym, slice_of, twos_pattern


def test_ceil_log2_exact():
    assert ceil_log2(1.0) == 0
    assert ceil_log2(0.5) == -1
    assert ceil_log2(0.75) == 0
    assert ceil_log2(4.000001) == 3


def test_dfp_paper_equations():
    q, step_log2 = quantize_dfp(torch.tensor([0.75, -0.1, 0.0, 0.0624]), 4)
    assert step_log2 == -4
    assert q.tolist() == [12, -1, 0, 0]
    assert quantize_dfp(torch.tensor([1.0]), 8)[0].tolist() == [255]


def test_dfp_codes_fit_in_n_bits():
    w = torch.randn(1000) * 3
    q, _ = quantize_dfp(w, 8)
    assert q.abs().max() <= 255


def test_sym_rounds_half_away_from_zero():
    q, scale = quantize_sym(torch.tensor([1.0, 0.5 / 7, -1.5 / 7, 0.0]), 4)
    assert q[0] == 7 and q[3] == 0
    assert abs(scale - 1 / 7) < 1e-15


def test_slices_and_pattern():
    w = torch.tensor([0b11100100])
    assert [int(slice_of(w, k, 2)) for k in range(4)] == [0, 1, 2, 3]
    assert int(twos_pattern(torch.tensor(-1), 8)) == 0xFF


def test_matches_shared_vectors(vectors_dir):
    cases = json.loads((vectors_dir / "quant.json").read_text())["cases"]
    assert len(cases) >= 8
    for c in cases:
        w = torch.tensor(c["weights"], dtype=torch.float32)
        dfp, step_log2 = quantize_dfp(w, c["bits"])
        sym, scale = quantize_sym(w, c["bits"])
        assert dfp.tolist() == c["dfp"] and step_log2 == c["dfp_step_log2"]
        assert sym.tolist() == c["sym"] and scale == c["sym_scale"]


def test_sym_ties_in_shared_vectors_round_half_away_from_zero(vectors_dir):
    # quant.json's tie cases: w / max|w| * (2^(n-1) - 1) is exactly k + 1/2, in float64 and
    # in float32, for even and odd k and both signs (shared_vectors._sym_tie_case).
    cases = [c for c in json.loads((vectors_dir / "quant.json").read_text())["cases"] if c.get("sym_ties")]
    assert len(cases) >= 3
    even = negative = 0
    for c in cases:
        w = torch.tensor(c["weights"], dtype=torch.float32)
        levels = (1 << (c["bits"] - 1)) - 1
        s = float(w[0])
        sym, _ = quantize_sym(w, c["bits"])
        assert sym.tolist() == c["sym"]
        for v, q in zip(w[3:].tolist(), sym[3:].tolist()):
            x = (v / s) * levels
            x32 = float((torch.tensor(v) / torch.tensor(s)) * levels)
            k = abs(x) // 1
            assert abs(x) - k == 0.5 and x32 == x, f"not an exact tie: {v}"
            assert q == (k + 1) * (1 if x > 0 else -1)  # half away from zero
            even += k % 2 == 0
            negative += x < 0
    assert even >= 10 and negative >= 10


# ---- the float32 forms (#15) against the float64 formulas they must equal ------------------

def _dfp_float64(w: torch.Tensor, bits: int):
    """Eq. 1-2 as written, in float64: the reference of the float32 form."""
    m = float(w.double().abs().max())
    step_log2 = (ceil_log2(m) if m > 0 else 0) - bits
    mag = torch.floor(w.double().abs() / 2.0 ** step_log2).clamp(max=(1 << bits) - 1)
    return (torch.sign(w.double()) * mag).to(torch.int64), step_log2


def test_dfp_float32_form_equals_float64_at_every_scale():
    g = torch.Generator().manual_seed(3)
    for exponent in list(range(-40, 41, 3)) + [-126, -125, -121, -119, 119, 121, 126]:
        w = torch.randn(2000, generator=g) * 2.0 ** exponent
        w[:8] = torch.tensor([1.0, -1.0, 0.5, 0.75, -0.25, 0.0, 2.0 ** -24, -(1 - 2.0 ** -24)]) * 2.0 ** exponent
        for dtype in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
            x = w.to(dtype)
            if not torch.isfinite(x).all():
                continue
            for bits in (1, 4, 8, 16):
                got, got_log2 = quantize_dfp(x, bits)
                want, want_log2 = _dfp_float64(x, bits)
                assert got_log2 == want_log2 and torch.equal(got, want), (exponent, dtype, bits)


def test_quantizers_refuse_non_finite_weights():
    for bad in ([1.0, float("nan")], [float("nan"), 1.0], [float("inf")], [0.0, float("-inf")]):
        for quantize in (quantize_dfp, quantize_sym):
            try:
                quantize(torch.tensor(bad), 8)
            except ValueError as e:
                assert "not finite" in str(e)
            else:
                raise AssertionError(f"{quantize.__name__} took {bad}")


def test_input_levels_float32_form_equals_the_float64_formula_at_every_midpoint():
    from bitcim.hw.periphery import input_integers

    g = torch.Generator().manual_seed(4)
    up, down = torch.tensor(float("inf")), torch.tensor(float("-inf"))
    for bits in (1, 2, 4, 8, 12, 16):
        top = (1 << bits) - 1
        for scale in (1 / 255, 0.1, 0.0123, 3.7e-5, 17.0, 1e-35, 1e35):
            k = torch.randint(0, top + 1, (3000,), generator=g).double()
            mids = ((k + 0.5) * scale).float()  # where floor(x / scale + 1/2) steps
            x = torch.cat([mids, torch.nextafter(mids, up), torch.nextafter(mids, down), (k * scale).float(),
                           (torch.rand(3000, generator=g) * 1.2 - 0.1) * top * scale,
                           torch.tensor([0.0, -0.0, -1e-30, 3e38, -3e38, top * scale, (top + 0.5) * scale])])
            want = torch.floor(x.double() / scale + 0.5).clamp(0, top).to(torch.int64)
            assert torch.equal(input_integers(x, scale, bits), want), (bits, scale)


def test_input_levels_of_a_strided_tensor_are_the_tensor_s_own():
    from bitcim.hw.periphery import input_integers

    scale = 0.1
    x = ((torch.arange(600.0).reshape(20, 30) + 0.5) * scale).float().t()  # midpoints, transposed
    want = torch.floor(x.double() / scale + 0.5).clamp(0, 255).to(torch.int64)
    assert torch.equal(input_integers(x, scale, 8), want)
    assert torch.equal(input_integers(x.contiguous(memory_format=torch.contiguous_format), scale, 8), want)


def test_float_path_levels_are_within_one_of_the_hardware_s_and_off_only_at_near_ties():
    from bitcim.hw.periphery import float_input_levels, input_levels

    g = torch.Generator().manual_seed(5)
    scale, bits = 0.0123, 8
    x = (torch.rand(200000, generator=g) * 1.2 - 0.1) * 255 * scale
    exact, fast = input_levels(x, scale, bits), float_input_levels(x, scale, bits)
    assert (fast - exact).abs().max() <= 1
    off = fast != exact
    frac = (x.double() / scale + 0.5).frac()
    assert bool((torch.minimum(frac, 1 - frac)[off] < 2.0 ** (bits - 20)).all())  # near-ties only
    assert float(off.double().mean()) < 1e-3


def test_activation_gradient_passes_exactly_inside_the_range():
    from bitcim.nn.act_quant import ActQuant

    quant = ActQuant(2.55)  # s = 0.01
    top = 255 * quant.scale(8)
    edge = torch.tensor(top, dtype=torch.float32)
    x = torch.cat([torch.randn(1000) * 2, torch.tensor([0.0, -0.0, -1e-30, 1e-30, float("inf"), -float("inf")]),
                   edge.view(1), torch.nextafter(edge, torch.tensor(9.0)).view(1),
                   torch.nextafter(edge, torch.tensor(0.0)).view(1)]).requires_grad_()
    for integers in (True, False):
        x.grad = None
        y, _ = quant(x, 8, integers)
        y.sum().backward()
        assert torch.equal(x.grad, ((x >= 0) & (x <= top)).float()), integers


def _bits(t: torch.Tensor) -> torch.Tensor:
    """A float tensor's bit patterns, to compare -0, +0 and NaN payloads exactly."""
    return t.view({torch.float32: torch.int32, torch.float64: torch.int64, torch.bfloat16: torch.int16}[t.dtype])


def _where_gradient(grad: torch.Tensor, x: torch.Tensor, bound: float) -> torch.Tensor:
    """The activation quantizer's gradient as autograd formed it before #15's one-pass form."""
    return torch.where(x.clamp(0, bound) == x, grad, torch.zeros((), dtype=grad.dtype))


def test_clipped_gradient_is_the_where_mask_bit_for_bit():
    # The one-pass form (hardtanh_backward over (-2^-149, the float32 after the bound)) against
    # torch.where over clamp == x: at the bound and its float32 neighbours (the bound rounded to
    # float32 as clamp rounds it), at +-0 and +-denormals, at +-inf, with NaN and inf gradients,
    # at lengths that leave the vectorized loop a scalar tail; with and without NaN inputs.
    from bitcim.nn.ste import clipped_gradient, one_pass_interval

    g = torch.Generator().manual_seed(6)
    up, down = torch.tensor(float("inf")), torch.tensor(float("-inf"))
    for i in range(400):
        bound = float(torch.rand((), dtype=torch.float64, generator=g)) * 10.0 ** (i % 40 - 20)
        b = torch.tensor(bound, dtype=torch.float32)
        special = torch.stack([b, torch.nextafter(b, up), torch.nextafter(b, down), torch.tensor(0.0),
                               torch.tensor(-0.0), torch.tensor(1e-45), torch.tensor(-1e-45), up, down])
        n = 1 + i % 37
        x = torch.cat([special, (torch.rand(n, generator=g) * 1.4 - 0.2) * b])[torch.randperm(n + 9, generator=g)]
        grad = torch.randn(x.shape, generator=g)
        grad[i % len(grad)] = float("nan")
        grad[(3 * i) % len(grad)] = float("-inf")
        grad[(5 * i) % len(grad)] = -0.0
        want = _where_gradient(grad, x, bound)
        assert one_pass_interval(grad, x, bound, True) is not None  # the one-pass form is what is checked
        assert torch.equal(_bits(clipped_gradient(grad, x, bound, True)), _bits(want)), bound
        x[(7 * i) % len(x)] = float("nan")  # a NaN's gradient is 0 (the one-pass form's tail would pass it)
        assert torch.equal(_bits(clipped_gradient(grad, x, bound, False)), _bits(_where_gradient(grad, x, bound)))
    # Denormals flushed (set_flush_denormal): -2^-149 would read as -0, so the mask's own passes are taken.
    x = torch.tensor([0.0, -0.0, 1.0, 2.0, -1.0] * 5)
    grad = torch.randn(x.shape, generator=g)
    if torch.set_flush_denormal(True):
        try:
            assert one_pass_interval(grad, x, 1.5, True) is None
            assert torch.equal(clipped_gradient(grad, x, 1.5, True), _where_gradient(grad, x, 1.5))
        finally:
            torch.set_flush_denormal(False)


def _activation_reference(x: torch.Tensor, scale: float, bits: int, integers: bool) -> torch.Tensor:
    """The activation quantizer's value as it was before #15's in-place form."""
    from bitcim.hw.periphery import float_input_levels, input_levels

    levels = input_levels(x, scale, bits) if integers else float_input_levels(x, scale, bits)
    return (levels * scale).to(x.dtype)


def test_activation_quantizer_value_and_gradient_equal_the_reference_forms():
    # The quantized value is bit for bit (float_input_levels or input_levels) * s in x's dtype; the
    # gradient bit for bit torch.where(clamp(x, 0, top * s) == x, grad, 0): at midpoints (where the
    # floor steps, and the float path may differ from the hardware's), at the bound, with NaN in
    # x (any position) or not, with NaN and inf gradients, at every scale the float32 path takes
    # and at scales and dtypes it leaves to float64.
    from bitcim.nn.act_quant import ActQuant

    g = torch.Generator().manual_seed(7)
    for dtype in (torch.float32, torch.float64, torch.bfloat16):
        for bits in (1, 4, 8, 16, 17):
            top = (1 << bits) - 1
            for value_range in (1.0, 2.55, 3.1365, 3.7e-5, 17.0, 1e-30, 1e25):
                quant = ActQuant(value_range)
                s = quant.scale(bits)
                k = torch.randint(0, top + 1, (500,), generator=g).double()
                spread = (torch.rand(500, generator=g, dtype=torch.float64) * 1.4 - 0.2) * top * s
                x = torch.cat([(k + 0.5) * s, k * s, spread,
                               torch.tensor([0.0, -0.0, -1e-30, float("inf"), float("-inf"), top * s])]).to(dtype)
                for nan in (False, True):
                    if nan:
                        x[int(torch.randint(0, len(x), (1,), generator=g))] = float("nan")
                    for integers in (False, True):
                        xr = x.clone().requires_grad_()
                        y, ints = quant(xr, bits, integers)
                        assert torch.equal(_bits(y.detach()), _bits(_activation_reference(x, s, bits, integers)))
                        assert (ints is not None) == integers
                        grad = torch.randn(x.shape, generator=g).to(dtype)
                        grad[::97] = float("nan")
                        grad[5::101] = float("inf")
                        y.backward(grad)
                        assert torch.equal(_bits(xr.grad), _bits(_where_gradient(grad, x, top * s))), \
                            (dtype, bits, value_range, nan, integers)


def test_activation_quantizer_sees_a_nan_at_the_tail_and_zeroes_its_gradient():
    # The quantizer's maximum tells the gradient whether the input holds a NaN; one at the end of a
    # tensor (the vectorized loop's scalar tail) must not pass its gradient, fixed range or calibrated.
    from bitcim.nn.act_quant import ActQuant

    for n in (17, 31, 64, 67):
        for quant in (ActQuant(2.0), ActQuant()):
            x = torch.rand(n) * 2
            x[-1] = float("nan")
            x.requires_grad_()
            y, _ = quant(x, 8, False)
            y.backward(torch.ones(n))
            assert float(x.grad[-1]) == 0.0, n
            assert torch.equal(x.grad, _where_gradient(torch.ones(n), x.detach(), 255 * quant.scale(8)))
