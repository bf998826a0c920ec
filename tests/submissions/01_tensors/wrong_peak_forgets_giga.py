# exercise: peak_flops
# expect: in GHz
def peak_flops(num_sms, units_per_sm, flops_per_unit_per_cycle, clock_ghz):
    # Mistake: forgets that the clock is in GHz.
    return float(num_sms * units_per_sm * flops_per_unit_per_cycle * clock_ghz)
