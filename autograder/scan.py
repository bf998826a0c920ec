"""The static gate: the code a student wrote, read before any of it runs.

The tamper guard (:mod:`autograder.guard`) runs inside the student's own process, so code that
reaches the interpreter's machinery (IPython's hooks, the garbage collector, ctypes, frames,
trace functions, the guard itself) can rewrite whatever decides the grade. This module reads
every cell the student wrote, in the grader's process, and names each use of such a primitive;
:class:`autograder.preprocessors.SandboxedExecute` runs the notebook only up to the first cell
with a finding, and the notebook is ``tampered``.

Which cells are the student's (:func:`student_cells`): every solution cell, and every code
cell whose source is not, unchanged, a cell of the source notebook (an added cell, an edited
demo cell). Test and locked cells are restored from the source before grading, and unchanged
demo cells are the instructor's: neither is read.

What is flagged (:func:`scan_code`), by name in the code (a ``Name``, an attribute, an
imported name or module, or a string constant that spells one):

- IPython and the kernel: ``get_ipython``, ``IPython``/``ipykernel`` imports (``IPython.display``
  is allowed), input and AST
  transformers, ``events.register``, ``displayhook``, ``display_pub``, ``showtraceback``,
  custom exception handlers, ``user_ns``, ``run_cell``, shell escapes (``!cmd``) and line or
  cell magics outside :data:`ALLOWED_MAGICS` (the code given to ``%timeit``/``%time`` is read
  like any other);
- memory and object-graph access: ``gc``, ``ctypes``, ``/proc/<pid>/mem`` paths;
- frames and code objects: ``sys._getframe``, ``inspect.currentframe``, ``f_globals``,
  ``f_back``, ``tb_frame``, ``__code__``, ``__globals__``, ``__closure__``, ``__subclasses__``,
  ``__self__`` and the other attributes in :data:`ATTRIBUTES`;
- trace, profile and import hooks: ``settrace``, ``setprofile``, ``meta_path``, ``sys.modules``,
  ``importlib``, ``__import__``, ``__builtins__``, bare ``exec``/``eval``/``compile``
  (``import builtins`` is not: rebinding a builtin is the guard's to see, like any rebinding);
- tensor dispatch: ``TorchDispatchMode``, ``TorchFunctionMode``, ``__torch_dispatch__``,
  ``torch.library``;
- the grader: ``autograder``, ``_GUARD``.

A string constant that parses as Python is read the same way (code written to a module and
imported). Plain rebinding (``torch.allclose = ...``, ``check_tensor = ...``) is not flagged here: the
guard sees it after the cell, puts the original back and names it. A name built at run time
(``getattr(x, "set" + "trace")``) is not seen by this gate: see README "Fair".
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass

FINDING = "cell {cell} uses {what} (line {line})"
UNREADABLE_MAGIC = "a %{magic} whose code cannot be read"

#: line magics a student may use in their own cells (``%timeit`` and ``%time`` run code: it is
#: read too); ``pinfo`` is ``x?``
ALLOWED_MAGICS = frozenset(
    {"timeit", "time", "matplotlib", "load_ext", "tensorboard", "pinfo", "pinfo2"}
)
ALLOWED_CELL_MAGICS = frozenset({"timeit", "time"})
#: the only extension ``%load_ext`` may load
ALLOWED_EXTENSIONS = frozenset({"tensorboard"})
#: magics whose argument (after its options) is Python code
CODE_MAGICS = frozenset({"timeit", "time"})
#: options of ``%timeit`` that take a value
_VALUED_OPTIONS = frozenset({"-n", "-r", "-p"})

MODULES = frozenset(
    {
        "gc",
        "ctypes",
        "_ctypes",
        "cffi",
        "IPython",
        "ipykernel",
        "jupyter_client",
        "zmq",
        "traitlets",
        "autograder",
        "importlib",
        "imp",
        "runpy",
        "marshal",
        "_thread",
    }
)
#: modules of a flagged package that are for students (``display``, ``clear_output``, ``HTML``)
ALLOWED_MODULES = frozenset({"IPython.display"})
NAMES = frozenset(
    {
        "get_ipython",
        "exec",
        "eval",
        "compile",
        "breakpoint",
        "__import__",
        "__builtins__",
        "_GUARD",
        "_cs231n_guard",
    }
)
ATTRIBUTES = frozenset(
    {
        # IPython and the kernel
        "get_ipython",
        "input_transformers_post",
        "input_transformers_cleanup",
        "input_transformer_manager",
        "ast_transformers",
        "displayhook",
        "__displayhook__",
        "display_pub",
        "display_formatter",
        "showtraceback",
        "_showtraceback",
        "showsyntaxerror",
        "set_custom_exc",
        "custom_exceptions",
        "CustomTB",
        "InteractiveTB",
        "SyntaxTB",
        "run_cell",
        "run_cell_async",
        "run_ast_nodes",
        "run_code",
        "user_ns",
        "user_global_ns",
        "user_module",
        "register_magic_function",
        "magics_manager",
        "excepthook",
        "__excepthook__",
        # gc and ctypes
        "get_referents",
        "get_referrers",
        "get_objects",
        "pythonapi",
        "memmove",
        "from_address",
        "addressof",
        "py_object",
        # frames, code, closures, class graph
        "_getframe",
        "_current_frames",
        "currentframe",
        "getouterframes",
        "getinnerframes",
        "getframeinfo",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "f_code",
        "f_trace",
        "f_lineno",
        "tb_frame",
        "tb_next",
        "gi_frame",
        "cr_frame",
        "ag_frame",
        "__code__",
        "__globals__",
        "__closure__",
        "__builtins__",
        "__import__",
        "__subclasses__",
        "__bases__",
        "__base__",
        "__mro__",
        "__self__",
        "__func__",
        "__defaults__",
        "__kwdefaults__",
        "__traceback__",
        "__loader__",
        "__spec__",
        "__reduce__",
        "__reduce_ex__",
        "co_code",
        "co_consts",
        "CodeType",
        "FunctionType",
        # trace, profile and import hooks
        "settrace",
        "setprofile",
        "settrace_all_threads",
        "setprofile_all_threads",
        "addaudithook",
        "monitoring",
        "meta_path",
        "path_hooks",
        "path_importer_cache",
        "import_module",
        # tensor dispatch
        "TorchDispatchMode",
        "TorchFunctionMode",
        "__torch_dispatch__",
        "__torch_function__",
        "_python_dispatch",
        "_push_on_torch_dispatch_stack",
        "_push_on_torch_function_stack",
        "library",
        # the grader
        "_GUARD",
        "check_and_restore",
        "final_report",
    }
)
#: attributes flagged only on the ``sys`` module (the names are common elsewhere);
#: ``sys.modules[__name__]``, the notebook's own module, is allowed
SYS_ATTRIBUTES = frozenset({"modules"})
#: a string constant containing one of these is flagged wherever it appears
SUBSTRINGS = ("get_ipython", "__builtins__", "autograder", "_GUARD", "/proc/self/mem")
#: a path to a process's memory (``/proc/<pid>/mem``, also as the pieces of an f-string)
_MEMORY_PATH = re.compile(r"(^|/)mem(/|$)")
#: a string constant equal to one of these (a name built for getattr, import_module, ...)
SPELLED = (MODULES | NAMES | ATTRIBUTES) - {
    "gc",
    "exec",
    "eval",
    "compile",
    "breakpoint",
    "library",
    "monitoring",
}


@dataclass(frozen=True)
class Finding:
    cell: str  # "'grade_id'" or "#n" (1-based position in the graded notebook)
    what: str
    line: int

    def __str__(self) -> str:
        return FINDING.format(cell=self.cell, what=self.what, line=self.line)


@functools.cache
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def _parse(source: str) -> ast.Module:
    """The cell as IPython runs it (magics and ``!`` become ``get_ipython()`` calls); plain
    Python, which IPython runs as it is, without the cost of its transformers."""
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.parse(_transform(source))


def _transform(source: str) -> str:
    return _transformer().transform_cell(source)


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for an attribute chain (``?`` for a part that is not a name)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if isinstance(node, ast.Name) else "?")
    return ".".join(reversed(parts))


def _magic_call(node: ast.Call) -> tuple[str, list[ast.expr]] | None:
    """``('run_line_magic', args)`` for ``get_ipython().<method>(...)``, else None."""
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "get_ipython"
        and not func.value.args
        and not func.value.keywords
    ):
        return func.attr, list(node.args)
    return None


def _strip_options(args: str) -> str:
    """The code of a ``%timeit``/``%time`` argument without its leading options."""
    words = args.split()
    i = 0
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in _VALUED_OPTIONS else 1
    return " ".join(words[i:]) if i else args


class _Reader(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.sys_names = {"sys"}
        self.depth = 0  # strings read as code, within strings read as code

    def flag(self, node: ast.AST, what: str) -> None:
        self.found.append((getattr(node, "lineno", 1), what))

    # -- magics ---------------------------------------------------------------------------------
    def magic(self, node: ast.Call, method: str, args: list[ast.expr]) -> bool:
        """True when ``node`` is an allowed magic (its code read as well)."""
        consts = [a.value if isinstance(a, ast.Constant) else None for a in args]
        if not consts or not all(isinstance(c, str) for c in consts) or node.keywords:
            return False
        name = consts[0]
        if method == "run_line_magic" and len(consts) == 2 and name in ALLOWED_MAGICS:
            arg = consts[1]
            if name == "load_ext" and arg.strip() not in ALLOWED_EXTENSIONS:
                return False
            if name in CODE_MAGICS:
                self.code(node, _strip_options(arg), name)
            return True
        if method == "run_cell_magic" and len(consts) == 3 and name in ALLOWED_CELL_MAGICS:
            self.code(node, _strip_options(consts[1]), name)
            self.code(node, consts[2], name)
            return True
        return False

    def code(self, node: ast.AST, text: str, magic: str) -> None:
        try:
            tree = _parse(text)
        except SyntaxError:
            self.flag(node, UNREADABLE_MAGIC.format(magic=magic))
            return
        inner = _Reader()
        inner.sys_names = self.sys_names
        inner.visit(tree)
        line = getattr(node, "lineno", 1)
        self.found += [(line, what) for _, what in inner.found]

    # -- visitors -------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        magic = _magic_call(node)
        if magic is not None:
            method, args = magic
            if self.magic(node, method, args):
                return  # get_ipython() of an allowed magic is IPython's, not the student's
            what = args[0].value if args and isinstance(args[0], ast.Constant) else None
            if method == "run_line_magic" and isinstance(what, str):
                self.flag(node, f"the magic %{what}")
            elif method == "run_cell_magic" and isinstance(what, str):
                self.flag(node, f"the cell magic %%{what}")
            elif method in ("system", "getoutput"):
                self.flag(node, "a shell command (!)")
            else:
                self.flag(node, f"get_ipython().{method}")
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top in MODULES and alias.name not in ALLOWED_MODULES:
                self.flag(node, f"import {alias.name}")
            if alias.name == "sys":
                self.sys_names.add(alias.asname or "sys")
            if alias.name in ("torch.library", "torch.overrides"):
                self.flag(node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        top = module.split(".")[0]
        if top in MODULES and module not in ALLOWED_MODULES:
            self.flag(node, f"from {module} import ...")
        for alias in node.names:
            if alias.name in ATTRIBUTES or alias.name in NAMES:
                self.flag(node, f"from {module} import {alias.name}")
            if module == "sys" and alias.name in SYS_ATTRIBUTES:
                self.flag(node, f"from sys import {alias.name}")

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in NAMES:
            self.flag(node, node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in ATTRIBUTES and not (
            node.attr == "library" and _dotted(node.value) != "torch"
        ):
            self.flag(node, _dotted(node))
        elif node.attr in SYS_ATTRIBUTES and _dotted(node.value) in self.sys_names:
            self.flag(node, _dotted(node))
        elif (
            node.attr in ("register", "unregister", "callbacks")
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "events"
        ):
            self.flag(node, _dotted(node))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if (
            isinstance(node.value, ast.Attribute)
            and node.value.attr == "modules"
            and _dotted(node.value.value) in self.sys_names
            and isinstance(node.slice, ast.Name)
            and node.slice.id == "__name__"
        ):
            return  # sys.modules[__name__]: the notebook's own module, nothing more
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            return  # a docstring or a bare string: never used
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str):
            return
        text = node.value
        if len(text) > 8 and any(c in text for c in "\n(.=") and self.depth < 3:
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                tree = None
            if tree is not None:  # code kept in a string (to write a module and import it)
                inner = _Reader()
                inner.depth = self.depth + 1
                inner.visit(tree)
                if inner.found:
                    self.flag(node, f"code in a string that uses {inner.found[0][1]}")
                    return
        if text.strip() in SPELLED:
            self.flag(node, f"the string {text.strip()!r}")
            return
        for part in SUBSTRINGS:
            if part in text:
                self.flag(node, f"a string containing {part!r}")
                return
        if _MEMORY_PATH.search(text):
            self.flag(node, f"the path {text!r}")


def scan_code(source: str) -> list[tuple[int, str]]:
    """``(line, what)`` for each primitive the cell ``source`` uses (see the module docstring);
    ``[]`` for a cell that does not parse (IPython will not run it either)."""
    try:
        tree = _parse(source)
    except (SyntaxError, ValueError):
        return []
    reader = _Reader()
    reader.visit(tree)
    return reader.found


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def label(nb, index: int) -> str:
    gid = _nbgrader(nb.cells[index]).get("grade_id")
    return f"'{gid}'" if gid else f"#{index + 1}"


def student_cells(nb, source, release=None) -> list[int]:
    """Indexes of the code cells of ``nb`` that the student wrote (see the module docstring):
    solution cells, and code cells that are not an unchanged cell of ``source`` or ``release``."""
    known: dict[str, set[str]] = {}
    for ref in (source, release):
        for cell in ref.cells if ref is not None else []:
            if cell.get("cell_type") == "code" and not _nbgrader(cell).get("solution"):
                known.setdefault(cell.get("id"), set()).add(_text(cell).strip())
    mine = []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        if _nbgrader(cell).get("solution") or _text(cell).strip() not in known.get(
            cell.get("id"), ()
        ):
            mine.append(i)
    return mine


def scan_notebook(nb, source, release=None) -> dict[int, list[Finding]]:
    """Cell index -> findings, for the student's cells of ``nb`` that use a primitive."""
    found: dict[int, list[Finding]] = {}
    for i in student_cells(nb, source, release):
        hits = scan_code(_text(nb.cells[i]))
        first: dict[str, int] = {}
        for line, what in hits:
            first.setdefault(what, line)
        if first:
            found[i] = [Finding(label(nb, i), what, line) for what, line in first.items()]
    return found


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for elt in node.elts for n in _targets(elt)]
    if isinstance(node, ast.Starred):
        return _targets(node.value)
    return []


def bound_names(source: str) -> list[str]:
    """The names a cell binds in the notebook's namespace (top-level definitions, imports,
    assignments, loop and ``with`` targets, also inside top-level ``if``/``try``/``for``/
    ``with`` blocks); ``[]`` when it does not parse."""
    try:
        tree = _parse(source)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []

    def walk(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(stmt.name)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    if alias.name != "*":
                        names.append(alias.asname or alias.name.split(".")[0])
            elif isinstance(stmt, ast.Assign):
                names.extend(n for t in stmt.targets for n in _targets(t))
            elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
                names.extend(_targets(stmt.target))
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                names.extend(_targets(stmt.target))
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                names.extend(n for item in stmt.items for n in _targets(item.optional_vars))
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and not isinstance(
                    stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
                ):
                    walk(inner)
            for handler in getattr(stmt, "handlers", []):
                walk(handler.body)

    walk(tree.body)
    return list(dict.fromkeys(names))


def trusted_cells(source) -> dict[str, list[str]]:
    """For each locked, non-test code cell of the source notebook (setup, seed, test helpers):
    the SHA-256 of its source -> the names it binds. The guard protects these names from the
    moment such a cell has run (see :meth:`autograder.guard.Guard.trust`)."""
    import hashlib

    table: dict[str, list[str]] = {}
    for cell in source.cells:
        meta = _nbgrader(cell)
        if cell.get("cell_type") != "code" or not meta.get("locked"):
            continue
        if meta.get("grade") or meta.get("solution"):
            continue
        text = _text(cell)
        names = bound_names(text)
        if names:
            table[hashlib.sha256(text.encode()).hexdigest()] = names
    return table
