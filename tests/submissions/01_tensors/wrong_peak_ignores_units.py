# exercise: peak_flops
# expect: units_per_sm
def peak_flops(num_sms, units_per_sm, flops_per_unit_per_cycle, clock_ghz):
    # Mistake: counts one unit per SM.
    return float(num_sms * flops_per_unit_per_cycle * clock_ghz * 1e9)
