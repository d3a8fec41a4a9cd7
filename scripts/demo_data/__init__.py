"""Demo data generator of the Customerism suite, used by scripts/gen_demo_data.py."""
