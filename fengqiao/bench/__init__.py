"""Benchmarks behind `fengqiao bench <name>`: one module per benchmark.

Each module offers `HELP` (one line), `add_arguments(parser)`, `run_from_options(options)`
returning a dict of figures that can be written as JSON, and `report_rows(figures)` for
the human-readable table. `fengqiao.core.management.commands.bench` lists the modules.
"""
