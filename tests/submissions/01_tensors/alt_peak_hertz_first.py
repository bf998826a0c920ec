# exercise: peak_flops
def peak_flops(num_sms, units_per_sm, flops_per_unit_per_cycle, clock_ghz):
    # Correct, written differently: cycles per second first, then FLOP per cycle of the whole chip.
    cycles_per_second = clock_ghz * 10**9
    flop_per_cycle = num_sms * units_per_sm * flops_per_unit_per_cycle
    return flop_per_cycle * cycles_per_second * 1.0
