`default_nettype none
// SAR ADC controller: the successive-approximation logic of one ADC. The
// comparator and the capacitive DAC are analog and live outside (in the SystemC
// model): the controller presents a trial code on dac_code_o, the comparator
// answers comp_i = (bitline >= DAC level of that code) within the cycle.
//
// A conversion at resolution bits_i (1..MaxBits, chosen per conversion, e.g. per
// weight slice) takes bits_i + 1 cycles: the start cycle samples the bitline
// (sample-and-hold) and loads the MSB trial; each of the next bits_i cycles
// decides one bit, MSB first. done_o pulses for one cycle with code_o valid.
// A start with bits_i of 0 or above MaxBits ends at once with error_o and code 0.
module sar_adc_ctrl #(
  parameter int MaxBits = 8            // widest resolution the ADC is built for, 1..16
) (
  input  wire               clk_i,
  input  wire               rst_i,     // synchronous, active high
  input  wire               start_i,   // sampled when idle
  input  wire [4:0]         bits_i,    // resolution of this conversion
  input  wire               comp_i,    // comparator: bitline >= DAC level of dac_code_o
  output wire               busy_o,
  output wire               done_o,    // one cycle, code_o valid
  output wire               error_o,   // with done_o: bits_i was out of range
  output wire [MaxBits-1:0] dac_code_o,
  output wire [MaxBits-1:0] code_o
);

  initial begin
    if (MaxBits < 1 || MaxBits > 16) begin
      $error("sar_adc_ctrl: MaxBits must be in 1..16, got %0d", MaxBits);
    end
  end

  localparam int IdxW = $clog2(MaxBits + 1);

  logic               busy_d, busy_q;
  logic               done_d, done_q;
  logic               error_d, error_q;
  logic [IdxW-1:0]    idx_d, idx_q;       // bit being decided
  logic [MaxBits-1:0] code_d, code_q;     // bits decided so far
  logic [MaxBits-1:0] result_d, result_q;
  logic [MaxBits-1:0] trial;

  assign trial = code_q | (MaxBits'(1) << idx_q);

  always_comb begin
    busy_d   = busy_q;
    done_d   = 1'b0;
    error_d  = 1'b0;
    idx_d    = idx_q;
    code_d   = code_q;
    result_d = result_q;
    if (!busy_q) begin
      if (start_i) begin
        if (bits_i == 5'd0 || {27'd0, bits_i} > MaxBits) begin
          done_d   = 1'b1;
          error_d  = 1'b1;
          result_d = '0;
        end else begin
          busy_d = 1'b1;
          idx_d  = IdxW'(bits_i - 5'd1);
          code_d = '0;
        end
      end
    end else begin
      if (comp_i) begin
        code_d = trial;
      end
      if (idx_q == '0) begin
        busy_d   = 1'b0;
        done_d   = 1'b1;
        result_d = comp_i ? trial : code_q;
      end else begin
        idx_d = idx_q - IdxW'(1);
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      busy_q   <= 1'b0;
      done_q   <= 1'b0;
      error_q  <= 1'b0;
      idx_q    <= '0;
      code_q   <= '0;
      result_q <= '0;
    end else begin
      busy_q   <= busy_d;
      done_q   <= done_d;
      error_q  <= error_d;
      idx_q    <= idx_d;
      code_q   <= code_d;
      result_q <= result_d;
    end
  end

  assign busy_o     = busy_q;
  assign done_o     = done_q;
  assign error_o    = error_q;
  assign dac_code_o = busy_q ? trial : '0;
  assign code_o     = result_q;

endmodule
`default_nettype wire
