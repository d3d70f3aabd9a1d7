`default_nettype none
// Galois LFSR index generator, shifting right:
//   next = (state >> 1) ^ (state[0] ? taps : 0)
// The tap mask and seed are loaded at run time, so one instance of Width bits
// serves every narrower LFSR whose taps and seed fit in that width (the upper
// bits then stay zero). A zero seed locks the LFSR at zero; the loader of the
// seed (software or the C++ model) refuses it, the RTL does not second-guess it.
//
// Index derivation (the rule of src/core/lfsr.h lfsr_indices): with n_i positions,
// each state's low b bits, b the fewest bits that number n_i positions (at least
// one), are a candidate index_o; index_valid_o says it is below n_i. Dropping
// candidates already taken is the consumer's job (it holds the pruning bitmap).
module lfsr_index_gen #(
  parameter int Width = 32,            // register width in bits, 2..32
  parameter logic [Width-1:0] ResetSeed = {{(Width-1){1'b0}}, 1'b1}  // state after reset
) (
  input  wire             clk_i,
  input  wire             rst_i,       // synchronous, active high
  input  wire             load_i,      // load seed_i and taps_i (wins over en_i)
  input  wire [Width-1:0] seed_i,
  input  wire [Width-1:0] taps_i,
  input  wire             en_i,        // advance one step
  input  wire [Width-1:0] n_i,         // positions to index; 0 disables index_valid_o
  output wire [Width-1:0] state_o,
  output wire [Width-1:0] taps_o,
  output wire [Width-1:0] index_o,
  output wire             index_valid_o
);

  initial begin
    if (Width < 2 || Width > 32) begin
      $error("lfsr_index_gen: Width must be in 2..32, got %0d", Width);
    end
  end

  logic [Width-1:0] state_d, state_q;
  logic [Width-1:0] taps_d, taps_q;

  // Next-state logic: load, step or hold.
  always_comb begin
    state_d = state_q;
    taps_d  = taps_q;
    if (load_i) begin
      state_d = seed_i;
      taps_d  = taps_i;
    end else if (en_i) begin
      state_d = (state_q >> 1) ^ (state_q[0] ? taps_q : {Width{1'b0}});
    end
  end

  // State and tap registers: reset and q <= d only.
  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      state_q <= ResetSeed;
      taps_q  <= {Width{1'b0}};
    end else begin
      state_q <= state_d;
      taps_q  <= taps_d;
    end
  end

  // Index mask: every bit below the highest set bit of n - 1, at least bit 0.
  logic [Width-1:0] last, mask;
  always_comb begin
    last = (n_i == '0) ? '0 : n_i - {{(Width-1){1'b0}}, 1'b1};
    mask = {{(Width-1){1'b0}}, 1'b1};
    for (int b = 1; b < Width; b++) begin
      if (last >= (Width'(1) << b)) begin
        mask[b] = 1'b1;
      end
    end
  end

  assign state_o       = state_q;
  assign taps_o        = taps_q;
  assign index_o       = state_q & mask;
  assign index_valid_o = (n_i != '0) && (index_o < n_i);

endmodule
`default_nettype wire
