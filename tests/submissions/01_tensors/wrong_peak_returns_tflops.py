# exercise: peak_flops
# expect: TFLOP/s
def peak_flops(num_sms, units_per_sm, flops_per_unit_per_cycle, clock_ghz):
    # Mistake: returns TFLOP/s instead of FLOP/s.
    return num_sms * units_per_sm * flops_per_unit_per_cycle * clock_ghz * 1e9 / 1e12
