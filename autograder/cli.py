"""``python -m autograder`` / ``cs231n-autograder``: a thin layer over the keyword-only functions
of :mod:`autograder.release`, :mod:`autograder.grade`, :mod:`autograder.check` and
:mod:`autograder.report`; every default comes from the function itself (``__kwdefaults__``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import check as check_mod
from . import grade, release, report

EPILOG = """examples:
  python -m autograder release --out build/student
  python -m autograder autograde submissions/ --out graded/ --workers 2 --timeout 300
  python -m autograder autograde submissions/ --out graded/ --device cuda --force
  python -m autograder autograde submissions/ --out graded/ --scheduler-file sched.json
  python -m autograder autograde submissions/ --out graded/ --scheduler tcp://host:8786
  python -m autograder check notebooks/01_tensors.ipynb
  python -m autograder report graded/
"""
DESCRIPTION = "The course autograder: release the student bundle, grade a class, self-check a notebook, report."
DONE_GRADING = "graded {n} submissions into {out} ({bad} not 'graded'; see {out}/grades.csv)"
SANDBOX_WARNING = "warning: {message}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m autograder",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="build the student bundle DIR and DIR.zip")
    r.add_argument("--out", required=True, type=Path, metavar="DIR")
    r.add_argument(
        "--source",
        type=Path,
        default=release.build_release.__kwdefaults__["source_dir"],
        help="folder of source notebooks (default: %(default)s)",
    )

    kw = grade.autograde.__kwdefaults__
    a = sub.add_parser(
        "autograde",
        help="grade SUBMISSIONS/<student>/<notebook>.ipynb",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    a.add_argument("submissions", type=Path, metavar="SUBMISSIONS")
    a.add_argument("--out", required=True, type=Path, metavar="DIR")
    a.add_argument(
        "--workers",
        type=int,
        default=kw["workers"],
        help=f"notebooks graded at once (default: the number of cores, {grade.default_workers()})",
    )
    a.add_argument(
        "--timeout",
        type=float,
        default=kw["timeout"],
        metavar="SECONDS",
        help="limit for one notebook's whole run (default: %(default)s)",
    )
    a.add_argument(
        "--cell-timeout",
        type=float,
        default=kw["cell_timeout"],
        metavar="SECONDS",
        help="limit for one cell (default: %(default)s)",
    )
    a.add_argument(
        "--device",
        choices=grade.DEVICES,
        default=kw["device"],
        help="CS231N_DEVICE of the kernels (default: %(default)s)",
    )
    a.add_argument("--force", action="store_true", help="grade again what is already graded")
    a.add_argument(
        "--source",
        type=Path,
        default=kw["source_dir"],
        help="folder of source notebooks (default: %(default)s)",
    )
    a.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not use bubblewrap (resource limits still apply)",
    )
    a.add_argument(
        "--no-forkserver",
        action="store_true",
        help="start every kernel as a new Python instead of forking it from a process that "
        "has torch imported (slower; for comparison and debugging)",
    )
    a.add_argument(
        "--unsafe-same-user",
        action="store_true",
        help="grade even where kernels would run with your own user id and no sandbox "
        "(a submission could then change any grade); refused without this flag, and the "
        "report says so",
    )
    a.add_argument("--no-progress", action="store_true", help="no progress bar")
    where = a.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=kw["scheduler"],
        help="grade on the workers of this dask scheduler (tcp://host:8786) instead of local "
        "processes; workers need the course installed, no shared file system, --nthreads 1",
    )
    where.add_argument(
        "--scheduler-file",
        type=Path,
        metavar="FILE",
        default=kw["scheduler_file"],
        help="the same, with the scheduler's address read from FILE (dask scheduler "
        "--scheduler-file FILE)",
    )

    c = sub.add_parser(
        "check", help="run a notebook with its visible tests and print pass/fail and points"
    )
    c.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    c.add_argument(
        "--timeout",
        type=float,
        default=check_mod.check.__kwdefaults__["timeout"],
        help="per-cell limit (default: %(default)s)",
    )
    c.add_argument("--device", choices=grade.DEVICES, default=None)

    s = sub.add_parser("report", help="class summary of a grading run: DIR/report/index.html")
    s.add_argument("dir", type=Path, metavar="DIR")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "release":
            out = release.build_release(args.out, source_dir=args.source)
            print(f"student bundle: {out} and {out}.zip")
        elif args.command == "autograde":
            from .sandbox import SANDBOX_MISSING, probe

            ok, why = probe()
            remote = args.scheduler or args.scheduler_file
            if not ok and not args.no_sandbox and not remote:
                print(
                    SANDBOX_WARNING.format(message=SANDBOX_MISSING.format(reason=why)),
                    file=sys.stderr,
                )
            results = grade.autograde(
                args.submissions,
                args.out,
                workers=args.workers,
                timeout=args.timeout,
                cell_timeout=args.cell_timeout,
                device=args.device,
                force=args.force,
                source_dir=args.source,
                sandbox=False if args.no_sandbox else None,
                forkserver=not args.no_forkserver,
                scheduler=args.scheduler,
                scheduler_file=args.scheduler_file,
                progress=not args.no_progress,
                unsafe_same_user=args.unsafe_same_user,
            )
            bad = sum(r.status != "graded" for r in results)
            print(DONE_GRADING.format(n=len(results), out=args.out, bad=bad))
        elif args.command == "check":
            return check_mod.check(args.notebook, timeout=args.timeout, device=args.device)
        elif args.command == "report":
            print(f"report: {report.build_report(args.dir)}")
    except grade.GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: what was graded is kept; run the same command again to go on",
            file=sys.stderr,
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
