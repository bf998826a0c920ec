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

Besides library functions it watches, after every cell:

- the notebook's own helpers: the names bound by the source's locked cells (setup, seed, test
  helpers), from the moment such a cell has run (:meth:`Guard.trust` gets the table from the
  grader, :func:`autograder.scan.trusted_cells`): a module, class or function rebound is
  tampering; rebound data (``device``, ``EDGES``) is put back without a verdict;
- the code of every watched Python function (``check_tensor.__code__ = ...``), also of the
  notebook's helpers;
- IPython: event callbacks, input and AST transformers, ``displayhook``, ``display_pub``,
  ``showtraceback`` and other methods set on the shell, custom exception handlers, the
  namespace's ``__builtins__``; the interpreter: ``sys``/``threading`` trace and profile
  functions, import hooks defined by the notebook, torch dispatch and function modes left
  active;
- itself: its functions (watched like a module's), its hook is a closure made at install, not a
  method looked up on the instance.

This is a check from inside the process it checks: code that sets out to defeat it (ctypes,
``gc``, editing the guard's objects) can. The grader's static gate (:mod:`autograder.scan`)
keeps such code from running, and the verdict on each test cell is taken from the kernel's
messages outside the process (:mod:`autograder.preprocessors.sandboxed_execute`).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
import threading
import types
from operator import attrgetter, is_

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
    "autograder.guard",
)
WATCHED_CLASSES = (
    ("torch", "Tensor"),
    ("torch._C", "TensorBase"),
    ("torch.nn", "Module"),
    ("torch.autograd", "Function"),
    ("autograder.guard", "Guard"),
)
#: watched with their private names too: the guard's own functions
WATCHED_PRIVATE = ("autograder.guard",)
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
    if module in WATCHED_PRIVATE:
        return callable(value) and not name.startswith("__")
    return not name.startswith("_") and callable(value)


def _code_of(fn) -> tuple | None:
    """What a Python function runs: its code, defaults and keyword defaults."""
    if isinstance(fn, types.FunctionType):
        return (fn.__code__, fn.__defaults__, fn.__kwdefaults__)
    return None


def _is_definition(value) -> bool:
    """Rebinding a module, class or function is tampering; rebinding data (``device = ...``)
    is put back without a verdict: an honest student may reuse such a name."""
    return isinstance(
        value, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)
    )


_CODE = attrgetter("__code__")
_DEFAULTS = attrgetter("__defaults__")
_KWDEFAULTS = attrgetter("__kwdefaults__")


def _same(current: dict, snap: dict) -> bool:
    """Is every value of ``snap`` still the very object in ``current``? (a loop in C: the
    check after every cell runs it over a few thousand names)"""
    return all(map(is_, map(current.get, snap), snap.values()))


def _force_set(cls: type, attr: str, value) -> None:
    """Set (or with ``_MISSING`` delete) a class attribute, also of an immutable built-in
    type whose dictionary was edited behind its back (through ``gc``): then the dictionary is
    written directly and the type's method cache invalidated."""
    try:
        if value is _MISSING:
            type.__delattr__(cls, attr)
        else:
            type.__setattr__(cls, attr, value)
        return
    except TypeError:
        pass
    import ctypes
    import gc

    real = next(d for d in gc.get_referents(vars(cls)) if isinstance(d, dict))
    if value is _MISSING:
        real.pop(attr, None)
    else:
        real[attr] = value
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))


def _library_callable(fn, prefixes: tuple[str, ...]) -> bool:
    """A function or method whose code is a file of the installed Python (the venv or the
    standard library), not a notebook cell."""
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    return isinstance(code, types.CodeType) and code.co_filename.startswith(prefixes)


def _users(obj) -> bool:
    """An object made by the notebook's own code (its class defined in ``__main__``)."""
    cls = obj if isinstance(obj, type) else type(obj)
    return getattr(cls, "__module__", None) == "__main__" or (
        isinstance(obj, types.FunctionType) and obj.__module__ in (None, "__main__")
    )


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
            try:
                mod = self.modules.get(modname) or importlib.import_module(modname)
            except ImportError:
                continue
            cls = getattr(mod, clsname, None)
            if isinstance(cls, type):
                self.classes[f"{modname}.{clsname}"] = (cls, dict(vars(cls)), dict(vars(cls)))
        # the code of every watched Python function: label -> (function, (code, defaults, kw))
        self.codes: dict[str, tuple[object, tuple]] = {}
        self._codes_columns: tuple | None = None  # the same, column by column, for a fast check
        for name, snap in self.snapshot.items():
            self._watch_codes(name, snap)
        for qual, (_, snap, _) in self.classes.items():
            self._watch_codes(qual, snap)
        self.seen: list[str] = []
        self.library_dirs = _library_dirs()
        self.prefixes = tuple(
            dict.fromkeys(os.path.join(p, "") for p in (sys.prefix, sys.base_prefix))
        )
        self._publish = None
        self.shell = None
        self.trusted: dict[str, list[str]] = {}
        self.names: dict[str, object] = {}  # the notebook's protected names -> their values
        self.interp: dict[str, object] = {}
        global _GUARD
        _GUARD = self

    def _watch_codes(self, prefix: str, values: dict) -> None:
        for attr, value in values.items():
            code = _code_of(value)
            if code is not None:
                self.codes[f"{prefix}.{attr}"] = (value, code)
                self._codes_columns = None

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
            if _same(current, snap):
                continue
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
            if len(current) == len(snap) and _same(current, snap):
                continue
            for attr in [a for a in current if a not in snap]:
                if qual.startswith(WATCHED_PRIVATE) or (
                    _overrides(cls, attr) and not _library_code(current[attr], self.library_dirs)
                ):
                    changed.append(f"{qual}.{attr}")
                    _force_set(cls, attr, _MISSING)
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
                _force_set(cls, attr, original)
        if not self.codes:
            return changed
        if self._codes_columns is None:
            fns = [fn for fn, _ in self.codes.values()]
            self._codes_columns = (
                fns,
                *(list(c) for c in zip(*(c for _, c in self.codes.values()), strict=True)),
            )
        fns, codes, defaults, kwdefaults = self._codes_columns
        if (
            all(map(is_, map(_CODE, fns), codes))
            and all(map(is_, map(_DEFAULTS, fns), defaults))
            and all(map(is_, map(_KWDEFAULTS, fns), kwdefaults))
        ):
            return changed
        for label, (fn, code) in self.codes.items():
            if (fn.__code__, fn.__defaults__, fn.__kwdefaults__) != code:
                changed.append(f"{label}.__code__")
                fn.__code__, fn.__defaults__, fn.__kwdefaults__ = code
        return changed

    def check_names(self, raw_cell: str | None) -> list[str]:
        """The notebook's protected names rebound by this cell (each put back); a trusted cell
        (one of the source's locked cells, by its SHA-256) binds its names anew."""
        changed: list[str] = []
        ns = self.shell.user_ns if self.shell is not None else {}
        fresh = ()
        if raw_cell is not None and self.trusted:
            fresh = self.trusted.get(hashlib.sha256(raw_cell.encode()).hexdigest(), ())
        for name, original in list(self.names.items()):
            if name in fresh:
                continue
            now = ns.get(name, _MISSING)
            if now is not original:
                if _is_definition(original):
                    changed.append(name)
                ns[name] = original
        for name in fresh:
            if name in ns:
                value = ns[name]
                self.names[name] = value
                code = _code_of(value)
                if code is not None:
                    self.codes[name] = (value, code)
                    self._codes_columns = None
        return changed

    def trust(self, table: dict[str, list[str]]) -> None:
        """The source's locked cells: SHA-256 of each cell's source -> the names it binds.
        Sent by the grader (a silent request, before the first cell)."""
        self.trusted = {str(k): [str(n) for n in v] for k, v in table.items()}

    # -- IPython and the interpreter -------------------------------------------------------
    def _interp_state(self) -> dict[str, object]:
        shell = self.shell
        tm = shell.input_transformer_manager
        state = {
            "get_ipython().events": {k: list(v) for k, v in shell.events.callbacks.items()},
            "get_ipython().input_transformers_post": list(shell.input_transformers_post),
            "get_ipython().input_transformers_cleanup": list(tm.cleanup_transforms),
            "get_ipython().input_transformer_manager.line_transforms": list(tm.line_transforms),
            "get_ipython().input_transformer_manager.token_transformers": list(
                tm.token_transformers
            ),
            "get_ipython().ast_transformers": list(shell.ast_transformers),
            "get_ipython().input_transformer_manager": tm,
            "get_ipython().custom_exceptions": shell.custom_exceptions,
            "get_ipython().display_pub": shell.display_pub,
            "__builtins__": shell.user_ns.get("__builtins__"),
            "sys.settrace": sys.gettrace(),
            "sys.setprofile": sys.getprofile(),
            "threading.settrace": threading.gettrace(),
            "threading.setprofile": threading.getprofile(),
        }
        for owner, obj in (
            ("get_ipython()", shell),
            ("get_ipython().displayhook", shell.displayhook),
            ("get_ipython().display_pub", shell.display_pub),
        ):
            for attr, value in vars(obj).items():
                if callable(value):
                    state[f"{owner}.{attr}"] = value
        return state

    def _set_interp(self, key: str, value) -> None:
        shell = self.shell
        tm = shell.input_transformer_manager
        lists = {
            "get_ipython().input_transformers_post": shell.input_transformers_post,
            "get_ipython().input_transformers_cleanup": tm.cleanup_transforms,
            "get_ipython().input_transformer_manager.line_transforms": tm.line_transforms,
            "get_ipython().input_transformer_manager.token_transformers": tm.token_transformers,
            "get_ipython().ast_transformers": shell.ast_transformers,
        }
        if key in lists:
            lists[key][:] = value
        elif key == "get_ipython().events":
            for event in list(shell.events.callbacks):
                shell.events.callbacks[event][:] = value.get(event, [])
        elif key == "get_ipython().input_transformer_manager":
            shell.input_transformer_manager = value
        elif key == "get_ipython().custom_exceptions":
            shell.custom_exceptions = value
        elif key == "get_ipython().display_pub":
            shell.display_pub = value
        elif key == "__builtins__":
            shell.user_ns["__builtins__"] = value
        elif key == "sys.settrace":
            sys.settrace(value)
        elif key == "sys.setprofile":
            sys.setprofile(value)
        elif key == "threading.settrace":
            threading.settrace(value)
        elif key == "threading.setprofile":
            threading.setprofile(value)
        else:  # "<owner>.<attr>" set on the shell, its displayhook or its display publisher
            owner, attr = key.rsplit(".", 1)
            obj = {
                "get_ipython()": shell,
                "get_ipython().displayhook": shell.displayhook,
                "get_ipython().display_pub": shell.display_pub,
            }[owner]
            if value is _MISSING:
                vars(obj).pop(attr, None)
            else:
                vars(obj)[attr] = value

    def check_interp(self) -> list[str]:
        """IPython hooks and interpreter hooks changed since install (each put back).

        In the lists of hooks (event callbacks, transformers) an entry added by a library
        (matplotlib's inline backend registers ``flush_figures`` when it is first used) is
        accepted; one defined anywhere else, or the guard's own hook removed, is tampering."""
        if self.shell is None:
            return []
        changed: list[str] = []
        now = self._interp_state()
        for key, original in list(self.interp.items()):
            current = now.get(key, _MISSING)
            if key == "get_ipython().events":
                fixed = {}
                for event, hooks in original.items():
                    fixed[event] = self._merge(f"{key}[{event!r}]", hooks, current.get(event, []))
                    changed += fixed[event][1]
                merged = {event: hooks for event, (hooks, _) in fixed.items()}
                if merged != current:
                    self._set_interp(key, merged)
                self.interp[key] = merged
            elif isinstance(original, list):
                merged, found = self._merge(key, original, current)
                changed += found
                if merged != current:
                    self._set_interp(key, merged)
                self.interp[key] = merged
            elif (current != original) if isinstance(original, tuple) else current is not original:
                changed.append(key)
                self._set_interp(key, original)
        for key in now.keys() - self.interp.keys():  # a method set on the shell's instance
            changed.append(key)
            self._set_interp(key, _MISSING)
        for name in ("meta_path", "path_hooks"):
            hooks = getattr(sys, name)
            mine = [h for h in hooks if _users(h)]
            if mine:
                changed.append(f"sys.{name}")
                hooks[:] = [h for h in hooks if not _users(h)]
        changed += self._check_modes()
        return changed

    def _merge(self, key: str, original: list, current: list) -> tuple[list, list[str]]:
        """The hooks to keep and what was wrong: entries added by library code stay, others
        go; the guard's own hook is put back if it was removed."""
        found = []
        keep = []
        for hook in current:
            if any(hook is h for h in original) or _library_callable(hook, self.prefixes):
                keep.append(hook)
            else:
                found.append(key)
        hook = getattr(self, "_hook", None)
        if any(h is hook for h in original) and not any(h is hook for h in keep):
            found.append(key)
            keep.insert(0, hook)
        return keep, list(dict.fromkeys(found))

    def _check_modes(self) -> list[str]:
        torch = self.modules.get("torch")
        if torch is None:
            return []
        changed = []
        c = torch._C
        if c._len_torch_dispatch_stack() > self._modes[0]:
            changed.append("a torch dispatch mode left active")
            while c._len_torch_dispatch_stack() > self._modes[0]:
                c._pop_torch_dispatch_stack(None)
        if c._len_torch_function_stack() > self._modes[1]:
            changed.append("a torch function mode left active")
            while c._len_torch_function_stack() > self._modes[1]:
                c._pop_torch_function_stack()
        return changed

    # -- kernel hooks -----------------------------------------------------------------------
    def install(self, shell) -> None:
        """Register the check after every cell. The hook is a closure over the guard's
        functions as they are now: rebinding its methods or attributes later does not reach
        it (and is itself found: the class is watched, instance attributes that shadow a
        method are removed first)."""
        self.shell = shell
        self._publish = shell.display_pub.publish
        torch = self.modules.get("torch")
        self._modes = (
            (torch._C._len_torch_dispatch_stack(), torch._C._len_torch_function_stack())
            if torch is not None
            else (0, 0)
        )
        steps = (Guard.check_self, Guard.check_interp, Guard.check_and_restore, Guard.check_names)
        emit = Guard.report_cell

        def post_run_cell(result=None, _guard=self, _steps=steps, _emit=emit):
            raw = getattr(getattr(result, "info", None), "raw_cell", None)
            changed = _steps[0](_guard) + _steps[1](_guard) + _steps[2](_guard)
            _emit(_guard, changed + _steps[3](_guard, raw))

        self._hook = post_run_cell
        self._steps = steps
        shell.events.register("post_run_cell", post_run_cell)
        self.interp = self._interp_state()
        self.attrs = frozenset([*vars(self), "attrs"])
        self.codes["guard hook"] = (post_run_cell, _code_of(post_run_cell))
        self._codes_columns = None

    def check_self(self) -> list[str]:
        """Instance attributes set on the guard since install (a method shadowed by
        ``_GUARD.check_and_restore = ...``), removed; the module's ``_GUARD`` put back."""
        changed = []
        mine = vars(self)
        for attr in [a for a in mine if a not in getattr(self, "attrs", mine)]:
            changed.append(f"autograder.guard._GUARD.{attr}")
            del mine[attr]
        if _GUARD is not self:
            changed.append("autograder.guard._GUARD")
            globals()["_GUARD"] = self
        return changed

    def _emit(self, payload: dict, text: str) -> None:
        if self._publish is not None:
            self._publish(data={TAMPER_MIME: payload, "text/plain": text}, metadata={})

    def check_all(self, raw_cell: str | None = None) -> list[str]:
        steps = getattr(self, "_steps", None) or (
            Guard.check_self,
            Guard.check_interp,
            Guard.check_and_restore,
            Guard.check_names,
        )
        changed = steps[0](self) + steps[1](self) + steps[2](self)
        return changed + steps[3](self, raw_cell)

    def report_cell(self, changed: list[str]) -> None:
        """Tell the grader what this cell rebound (an output with :data:`TAMPER_MIME`)."""
        if changed:
            self.seen.extend(changed)
            many = len(changed) > 1
            text = TAMPER_MESSAGE.format(
                names=", ".join(changed[:8]) + (" ..." if len(changed) > 8 else ""),
                s="s" if many else "",
                were="were" if many else "was",
            )
            self._emit({"rebound": changed}, text)

    def post_run_cell(self, result=None) -> None:
        """What the installed hook does (for a guard used without :meth:`install`)."""
        raw = getattr(getattr(result, "info", None), "raw_cell", None)
        self.report_cell(self.check_all(raw))

    def final_report(self, nonce: str) -> None:
        changed = self.check_all()
        self.seen.extend(changed)
        self._emit({"nonce": nonce, "rebound": list(dict.fromkeys(self.seen))}, "")


def final_report(nonce: str) -> None:
    """Called by the grader's last (hidden) cell of every run."""
    if _GUARD is not None:
        _GUARD.final_report(nonce)


def trust(table: dict[str, list[str]]) -> None:
    """Called by the grader (a silent request before the first cell): see :meth:`Guard.trust`."""
    if _GUARD is not None:
        _GUARD.trust(table)
