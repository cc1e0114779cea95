"""The tour: `python -m demos [--quick] [--seed N] [--out DIR]` runs every demo in order.

Each demo gets the same options, its own header, and a line in the summary at the end. A
demo whose claim fails does not stop the tour; the exit code is 1 if any failed.
"""
from __future__ import annotations

import importlib
import sys

from . import DEMOS
from .common import ClaimFailed, MissingExtra, parse_args, timer


def main(argv=None) -> int:
    args = parse_args("demos", __doc__, argv,
                      quick_help="small sizes: the whole tour in a few seconds per demo")
    passed = ["--seed", str(args.seed), "--out", str(args.out)] + ["--quick"] * args.quick
    summary = []
    for number, (name, line) in enumerate(DEMOS.items(), 1):
        title = f" {number}/{len(DEMOS)}  demos.{name}: {line} "
        print(f"\n{'=' * 88}\n{title}\n{'=' * 88}\n", flush=True)
        with timer() as elapsed:
            try:
                result = importlib.import_module(f"demos.{name}").main(passed)
                status, files = "ok", result.get("files", [])
            except ClaimFailed as err:
                status, files = "FAILED", []
                print(f"\nCLAIM FAILED: {err}")
            except MissingExtra as err:
                status, files = "skipped", []
                print(f"\nSKIPPED: {err}")
        summary.append((name, status, elapsed(), files))

    print(f"\n{'=' * 88}\n Summary ({'quick' if args.quick else 'full'} mode, seed {args.seed})"
          f"\n{'=' * 88}")
    width = max(map(len, DEMOS)) + 2
    for name, status, seconds, _ in summary:
        print(f"  {name:<{width}}{status:<9}{seconds:>6.1f} s")
    written = [f for *_, files in summary for f in files]
    print(f"\nFiles written ({len(written)}):")
    for path in written:
        print(f"  {path}")
    failed = [name for name, status, *_ in summary if status == "FAILED"]
    if failed:
        print(f"\n{len(failed)} demo(s) failed their claim: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
