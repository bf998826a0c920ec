"""The tamper guard: notices a submission that rebinds library or test functions.

A solution cell that runs ``torch.allclose = lambda *a, **k: True`` (or ``setattr(numpy, ...)``,
``builtins.isinstance = ...``, ``cs231n_tools.checks.check_tensor = ...``) would pass every
hidden test. The guard runs inside the kernel (installed by :mod:`autograder.kernel` before any
submitted code):

- at start it snapshots the public functions and classes of :data:`WATCHED_MODULES`, the
  attributes of :data:`WATCHED_CLASSES` and the modules themselves in ``sys.modules``;
- after every cell (IPython's ``post_run_cell`` event) it compares them with the snapshot,
  puts back every original and, if something had changed, adds an output with MIME type
  :data:`TAMPER_MIME` to that cell naming what was rebound. The grader gives 0 to a test cell
  carrying it (the test may have run against the fake) and marks the notebook ``tampered``;
  tests after a tampering solution cell run against the restored originals;
- the grader ends every run with :func:`final_report` and a random nonce; a missing report means
  the hook or the guard itself was interfered with, which is tampering too.

This stops rebinding, the realistic cheat. It is not a defence against code that sets out to
defeat the guard itself (ctypes, editing the guard's own objects): that needs the tests to run
in another process, see the report's list of protections.
"""

from __future__ import annotations

import importlib
import os
import sys

TAMPER_MIME = "application/vnd.cs231n.tamper+json"
TAMPER_MESSAGE = (
    "Grader: this cell rebound {names}; the original{s} {were} put back, the test cells it "
    "affected get 0 points and the notebook is marked 'tampered' for a person to review."
)
WATCHED_MODULES = (
    "builtins",
    "math",
    "torch",
    "torch.testing",
    "torch.autograd",
    "torch.nn.functional",
    "numpy",
    "numpy.testing",
    "cs231n_tools",
    "cs231n_tools.checks",
)
WATCHED_CLASSES = (("torch", "Tensor"), ("torch.nn", "Module"))
#: builtins that IPython itself adds, removes or rebinds around every cell
IPYTHON_BUILTINS = frozenset(
    {
        "exit",
        "quit",
        "get_ipython",
        "input",
        "raw_input",
        "display",
        "help",
        "copyright",
        "credits",
        "license",
        "__IPYTHON__",
        "_",
        "__",
        "___",
        "__builtins__",
        "__loader__",
        "__spec__",
        "__name__",
        "__doc__",
        "__package__",
        "__debug__",
    }
)
_MISSING = object()
_GUARD: "Guard | None" = None


def _library_dirs() -> tuple[str, ...]:
    dirs = []
    for name in ("torch", "numpy"):
        mod = sys.modules.get(name)
        if mod is not None and getattr(mod, "__file__", None):
            dirs.append(os.path.dirname(mod.__file__) + os.sep)
    return tuple(dirs)


def _library_code(new, dirs: tuple[str, ...]) -> bool:
    """True when ``new`` is a Python function whose code lives in torch or numpy."""
    code = getattr(new, "__code__", None)
    return code is not None and bool(dirs) and code.co_filename.startswith(dirs)


def _library_wrapper(new, old, dirs: tuple[str, ...]) -> bool:
    """torch rebinds some of its own functions lazily (importing ``torch._dynamo`` wraps
    ``torch.manual_seed``): a wrapper of the original whose code lives in the library is not
    tampering."""
    return getattr(new, "__wrapped__", None) is old and _library_code(new, dirs)


def _overrides(cls, attr: str) -> bool:
    """A new class attribute overrides something only if a base class defines that name;
    otherwise it is a cache or marker (``__slotnames__`` from copyreg, dynamo's
    ``___needs_generation_tag_patch``) that changes no behaviour a test relies on."""
    return any(attr in vars(base) for base in cls.__mro__[1:])


def _watch_name(module: str, name: str, value) -> bool:
    if module == "builtins":
        return name not in IPYTHON_BUILTINS
    return not name.startswith("_") and callable(value)


class Guard:
    """Snapshot of the watched objects, checked and restored after each cell."""

    def __init__(self, modules=WATCHED_MODULES, classes=WATCHED_CLASSES):
        self.modules = {}
        self.snapshot: dict[str, dict[str, object]] = {}
        for name in modules:
            try:
                mod = importlib.import_module(name)
            except ImportError:
                continue
            self.modules[name] = mod
            self.snapshot[name] = {k: v for k, v in vars(mod).items() if _watch_name(name, k, v)}
        self.classes = {}
        for modname, clsname in classes:
            cls = getattr(self.modules.get(modname) or importlib.import_module(modname), clsname)
            self.classes[f"{modname}.{clsname}"] = (cls, dict(vars(cls)), dict(vars(cls)))
        self.seen: list[str] = []
        self.library_dirs = _library_dirs()
        self._publish = None
        global _GUARD
        _GUARD = self

    # -- checking ---------------------------------------------------------------------------
    def check_and_restore(self) -> list[str]:
        """Names rebound since the snapshot (each put back)."""
        changed: list[str] = []
        modules = sys.modules
        for name, mod in self.modules.items():
            if modules.get(name) is not mod:
                changed.append(f"sys.modules[{name!r}]")
                modules[name] = mod
            current = vars(mod)
            snap = self.snapshot[name]
            for attr, original in list(snap.items()):
                now = current.get(attr, _MISSING)
                if now is not original:
                    if _library_wrapper(now, original, self.library_dirs):
                        snap[attr] = now
                        continue
                    changed.append(f"{name}.{attr}")
                    setattr(mod, attr, original)
        for qual, (cls, snap, first) in self.classes.items():
            current = vars(cls)
            for attr in [a for a in current if a not in snap]:
                if _overrides(cls, attr) and not _library_code(current[attr], self.library_dirs):
                    changed.append(f"{qual}.{attr}")
                    delattr(cls, attr)
            for attr, original in snap.items():
                now = current.get(attr, _MISSING)
                if now is original or now is first.get(attr, _MISSING):
                    continue
                if now is not _MISSING and _library_code(now, self.library_dirs):
                    # torch patching its own classes (dynamo wraps nn.Module.__init__ to
                    # track mutations while it compiles or exports)
                    snap[attr] = now
                    continue
                changed.append(f"{qual}.{attr}")
                type.__setattr__(cls, attr, original)
        return changed

    # -- kernel hooks -----------------------------------------------------------------------
    def install(self, shell) -> None:
        self._publish = shell.display_pub.publish
        shell.events.register("post_run_cell", self.post_run_cell)

    def _emit(self, payload: dict, text: str) -> None:
        if self._publish is not None:
            self._publish(data={TAMPER_MIME: payload, "text/plain": text}, metadata={})

    def post_run_cell(self, result=None) -> None:
        changed = self.check_and_restore()
        if changed:
            self.seen.extend(changed)
            many = len(changed) > 1
            text = TAMPER_MESSAGE.format(
                names=", ".join(changed[:8]) + (" ..." if len(changed) > 8 else ""),
                s="s" if many else "",
                were="were" if many else "was",
            )
            self._emit({"rebound": changed}, text)

    def final_report(self, nonce: str) -> None:
        changed = self.check_and_restore()
        self.seen.extend(changed)
        self._emit({"nonce": nonce, "rebound": list(dict.fromkeys(self.seen))}, "")


def final_report(nonce: str) -> None:
    """Called by the grader's last (hidden) cell of every run."""
    if _GUARD is not None:
        _GUARD.final_report(nonce)
