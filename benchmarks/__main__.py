"""`python -m benchmarks [name ...]`: runs benchmarks/<name>.py modules (all but the drill by
default: that is `make drill`) and prints their figures, then a summary of the budgets. Exit
status 1 if a benchmark crashed (or, with --strict, if a budget was missed)."""

import argparse
import importlib
import pkgutil
import sys
import time
import traceback

import benchmarks
from benchmarks import Report

# Run only when named (`make drill`, `make capacity`): each takes minutes and runs its own database servers.
ONLY_WHEN_NAMED = {"capacity", "drill"}


def available() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(benchmarks.__path__) if not info.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    default = [name for name in available() if name not in ONLY_WHEN_NAMED]
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: {', '.join(default)}; "
                                                 f"only when named: {', '.join(sorted(ONLY_WHEN_NAMED))})")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a budget is missed")
    args = parser.parse_args(argv)

    names = available()
    if args.list:
        print("\n".join(names))
        return 0
    unknown = [name for name in args.names if name not in names]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(names)}")

    report = Report()
    try:
        for name in args.names or default:
            module = importlib.import_module(f"benchmarks.{name}")
            if not callable(getattr(module, "run", None)):
                continue
            report.module = name
            report.print(f"\n=== {name} " + "=" * max(3, 70 - len(name)))
            started = time.monotonic()
            try:
                module.run(report)
            except KeyboardInterrupt:
                raise
            except Exception:
                report.failures.append(name)
                report.print(traceback.format_exc())
            report.print(f"  [{name}: {time.monotonic() - started:.0f} s]")
    finally:
        report.close_portals()
    report.summary()
    if report.failures:
        return 1
    if args.strict and not all(entry.met for entry in report.budgets):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
