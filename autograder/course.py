"""The course as nbgrader sees it, and the plain-nbgrader operations on it.

Layout (a course directory, ``root``)::

    root/nbgrader_config.py          optional; the repository's own one calls apply_config()
    root/notebooks/NN_name.ipynb     source notebooks: the assignment is called "notebooks"
    root/release/notebooks/          student versions       (nbgrader generate_assignment)
    root/submitted/<student>/notebooks/NN_name.ipynb
    root/autograded/<student>/notebooks/ ...                 (nbgrader autograde)
    root/gradebook.db

The repository itself is such a course directory, so an instructor can run
``nbgrader generate_assignment notebooks`` and ``nbgrader autograde notebooks`` at its top.
Everything here drives nbgrader's own converters through :class:`nbgrader.apps.NbGraderAPI`;
nothing re-implements them.

``make instructor`` uses a second, gitignored course directory ``instructor/`` laid out as
nbgrader's Formgrader expects (:func:`instructor_config`, :func:`prepare_instructor_course`)::

    instructor/nbgrader_config.py           committed: calls instructor_config()
    instructor/source/notebooks -> ../../notebooks   the committed sources (a symlink)
    instructor/release/ submitted/ autograded/ feedback/ gradebook.db
    instructor/exchange/                     the nbgrader exchange (release, submit, feedback)

Feedback pages (:func:`feedback_config`, called by :func:`apply_config`) show the notebook with
each test cell's verdict and nothing else of the grading run: "hidden test failed" with the
test's short message, never hidden test code; their HTML is sanitised, and their math is
rendered to MathML when the page is written, so it shows without a network.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from traitlets import Bool

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "notebooks"
SOURCE_NOTEBOOKS = REPO_ROOT / ASSIGNMENT
NOTEBOOKS = (
    "01_tensors",
    "02_autograd",
    "03_custom_function",
    "04_modules",
    "05_dataloader",
    "06_pretrained",
    "07_jit",
    "08_tf2_gradienttape",
)
COURSE_ID = "cs231n-dl-software"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
#: seconds one cell may run under nbgrader before it is interrupted
CELL_TIMEOUT = 120
#: the instructor's course directory (``make instructor``) and its parts
INSTRUCTOR_ROOT = REPO_ROOT / "instructor"
INSTRUCTOR_SOURCE = "source"
EXCHANGE_DIR = "exchange"
#: nbconvert template of the feedback pages: nbgrader's ``feedback`` without MathJax's CDN
FEEDBACK_TEMPLATE = "cs231n_feedback"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def apply_config(c, root: Path | str) -> None:
    """Fill a traitlets ``Config`` (``c`` in ``nbgrader_config.py``) with the course's settings."""
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = "."  # the assignment folder is root/notebooks
    c.CourseDirectory.course_id = COURSE_ID
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.enforce_metadata = True
    c.Execute.timeout = CELL_TIMEOUT
    # A graceful kernel shutdown sometimes waits seconds for nothing.
    c.Execute.shutdown_kernel = "immediate"
    c.Exchange.assignment_dir = str(root)
    feedback_config(c)


def feedback_config(c) -> None:
    """Feedback pages as the course hands them back (``c`` a traitlets ``Config``).

    nbgrader's ``GenerateFeedback`` with, after its ``GetGrades``: :class:`RedactHiddenTests`
    (every output of the grading run dropped but one verdict per test cell, "test passed" or
    a capped message that quotes no hidden code, "hidden test failed: <message>" when the
    failing line was hidden; each hidden region replaced by a line saying hidden tests ran),
    nbgrader's ``ClearHiddenTests`` (nothing left to clear: a second lock) and
    :class:`RenderMath` (``$...$`` to MathML, so no MathJax is needed), rendered by
    :class:`FeedbackExporter` (sanitising) with the template :data:`FEEDBACK_TEMPLATE`
    (nbgrader's ``feedback`` without the MathJax script, markdown through an allow-list).
    The course autograder renders its pages with the same preprocessors and exporter
    (:func:`autograder.feedback.make_feedback`).
    """
    import nbgrader

    nbgrader_templates = (
        Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    )
    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "autograder.preprocessors.RedactHiddenTests",
        "nbgrader.preprocessors.ClearHiddenTests",
        "autograder.preprocessors.RenderMath",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
    c.ClearHiddenTests.enforce_metadata = False
    # an exporter class of its own: Formgrader's HTMLExporter keeps its "formgrade" template
    c.GenerateFeedback.exporter_class = "autograder.course.FeedbackExporter"
    c.FeedbackExporter.template_name = FEEDBACK_TEMPLATE
    c.FeedbackExporter.extra_template_basedirs = [str(TEMPLATES_DIR), str(nbgrader_templates)]
    # our index.html.j2 extends nbgrader's as "feedback/index.html.j2", which inlines
    # bootstrap.min.css (nbgrader's GenerateFeedback gives HTMLExporter the same folder)
    bootstrap = nbgrader_templates.parent / "static" / "node_modules" / "bootstrap" / "dist" / "css"
    c.FeedbackExporter.extra_template_paths = [str(nbgrader_templates), str(bootstrap)]


def _pass_context(method):
    """jinja's ``pass_context`` (the filter gets the template's context first)."""
    from jinja2 import pass_context

    return pass_context(method)


#: the most strings one remembering filter keeps (then it starts again)
MEMO_LIMIT = 8192


def remembered(made: dict, key, make):
    """``made[key]``, made by ``make()`` the first time: the feedback filters' memory of
    strings that are the same on every student's page (at most :data:`MEMO_LIMIT`)."""
    if key not in made:
        if len(made) >= MEMO_LIMIT:
            made.clear()
        made[key] = make()
    return made[key]


class _RememberedHighlight:
    """nbconvert's ``highlight_code`` filter, remembering what it made: most code cells of a
    feedback page (the locked and test cells) are the same on every student's page, and
    Pygments was a third of a page's time."""

    def __init__(self, highlight, lexer) -> None:
        self.highlight, self.lexer = highlight, lexer
        self.made: dict[tuple, str] = {}

    def __call__(self, source, language=None, metadata=None):
        key = (source, language, (metadata or {}).get("magics_language"))
        return remembered(self.made, key, lambda: self.highlight(source, language, metadata))


class FeedbackExporter(HTMLExporter):
    """The HTML exporter of the course's feedback pages (configured by :func:`feedback_config`).

    A class of its own so that its template settings do not reach other ``HTMLExporter``s, such
    as Formgrader's (template "formgrade") in the instructor's lab. It sanitises: nbconvert's
    ``sanitize_html`` (no JavaScript or widget outputs, HTML outputs cleaned) and the filter
    ``clean_feedback_html`` (:func:`autograder.feedback.clean_html`: an allow-list that keeps
    the MathML of :class:`~autograder.preprocessors.RenderMath`), which the template
    :data:`FEEDBACK_TEMPLATE` applies to markdown and raw cells."""

    sanitize_html = Bool(True, help="Sanitise markdown and outputs (see the class).").tag(
        config=True
    )

    def from_notebook_node(self, nb, resources=None, **kw):
        """``HTMLExporter``'s, less its last pass: that one parses the whole page again with
        BeautifulSoup to give images without one an alt text and JupyterLab's cells a tab
        stop (the "lab" template's; these pages have no such cells), half the page's time."""
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight = self._highlighter(lexer)
        resources = self._init_resources(resources)
        widgets = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", widgets)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    def _highlighter(self, lexer) -> _RememberedHighlight:
        """This exporter's remembering highlighter for ``lexer``. It is kept on the exporter:
        ``self.filters`` holds the configured filters, not the registered ones, and looking it
        up there found nothing, so every page highlighted from scratch."""
        from nbconvert.filters.highlight import Highlight2HTML

        highlight = getattr(self, "_remembered_highlight", None)
        if highlight is None or highlight.lexer != lexer:
            highlight = self._remembered_highlight = _RememberedHighlight(
                Highlight2HTML(pygments_lexer=lexer, parent=self), lexer
            )
        return highlight

    def memo(self) -> dict:
        """What this exporter remembers (JSON): the lexer, the highlighted code and the
        rendered markdown; :meth:`remember` takes it back (autograder.feedback.build_memos)."""
        highlight = getattr(self, "_remembered_highlight", None)
        return {
            "lexer": highlight.lexer if highlight else None,
            "highlight": [[list(k), v] for k, v in (highlight.made if highlight else {}).items()],
            "markdown": [
                [list(k), v] for k, v in self.__dict__.get("_remembered_markdown", {}).items()
            ],
        }

    def remember(self, memo: dict) -> None:
        """Take what :meth:`memo` gave: the same strings these filters would make."""
        highlight = self._highlighter(memo.get("lexer"))
        for key, html in memo.get("highlight", []):
            remembered(highlight.made, tuple(key), lambda html=html: html)
        made = self.__dict__.setdefault("_remembered_markdown", {})
        for key, html in memo.get("markdown", []):
            remembered(made, tuple(key), lambda html=html: html)

    def markdown2html(self, context, source):
        """``HTMLExporter``'s, remembered per text and notebook folder for cells without
        attachments: most markdown of a page is the source's, the same on every student's page
        (rendering it was a quarter of a page's time)."""
        cell = context.get("cell", {})
        if cell.get("attachments"):
            return super().markdown2html(context, source)
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        made = self.__dict__.setdefault("_remembered_markdown", {})
        render = super().markdown2html
        return remembered(made, (source, path), lambda: render(context, source))

    markdown2html = _pass_context(markdown2html)

    def default_filters(self):
        from .feedback import clean_html

        yield from super().default_filters()
        yield ("clean_feedback_html", clean_html)
        yield ("clean_html", clean_html)  # nbconvert's, for HTML outputs: ours keeps MathML


def instructor_config(c, root: Path | str = INSTRUCTOR_ROOT) -> None:
    """The instructor's course directory ``root`` (``make instructor``): sources under
    ``root/source/notebooks`` (a link to the repository's ``notebooks/``), gradebook, outputs
    and the exchange inside ``root``, which is gitignored; see the module docstring."""
    root = Path(root)
    apply_config(c, root)
    c.CourseDirectory.source_directory = INSTRUCTOR_SOURCE
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    exchange_config(c, root)


def instructor_root() -> Path:
    """The instructor's course directory: ``$CS231N_INSTRUCTOR_DIR`` or ``<repository>/instructor``."""
    return Path(os.environ.get("CS231N_INSTRUCTOR_DIR") or INSTRUCTOR_ROOT)


def exchange_config(c, root: Path | str | None = None) -> None:
    """The nbgrader exchange of the course directory ``root`` (default :func:`instructor_root`):
    ``root/exchange`` (with its cache), assignments fetched to ``root/student``. Also read from
    ``jupyter/instructor/nbgrader_config.py``, since nbgrader's Assignment List loads its
    configuration again in the folder it fetches to."""
    root = Path(root) if root is not None else instructor_root()
    c.Exchange.root = str(root / EXCHANGE_DIR)
    c.Exchange.cache = str(root / EXCHANGE_DIR / ".cache")
    c.Exchange.assignment_dir = str(root / "student")


def prepare_instructor_course(
    root: Path | str | None = None, sources: Path = SOURCE_NOTEBOOKS
) -> Path:
    """Create the folders of :func:`instructor_config`'s course directory ``root`` (default:
    :func:`instructor_root`; idempotent): ``root/source/notebooks`` linked to ``sources``, an
    exchange nbgrader can write to and ``root/student`` (where the Assignment List fetches)."""
    root = Path(root) if root is not None else instructor_root()
    link = root / INSTRUCTOR_SOURCE / ASSIGNMENT
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        if link.is_symlink():  # a dangling link: the repository moved
            link.unlink()
        link.symlink_to(os.path.relpath(sources, link.parent), target_is_directory=True)
    exchange = root / EXCHANGE_DIR
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o777)  # nbgrader's exchange is shared by the users of one machine
    (root / "student").mkdir(exist_ok=True)
    return root


#: nbgrader's JupyterLab extensions that are for instructors only (hidden in the student lab);
#: the student keeps "validate-assignment" (the Validate button)
INSTRUCTOR_LAB_EXTENSIONS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",
)
#: JupyterLab's "get notified about Jupyter news?" (it fetches news from the internet): off in
#: both modes, the course runs offline
NEWS_LAB_EXTENSION = "@jupyterlab/apputils-extension:announcements"
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.assignment_list",
)
#: where %tensorboard's frame and the TensorBoard launcher go: jupyter-server-proxy's routes
TENSORBOARD_PROXY = "{base_url}proxy/%PORT%/"
TENSORBOARD_PREFIX = "tensorboard"


def kernel_encryption(c) -> None:
    """Kernels started with ``c`` get CurveZMQ keys from their manager when pyzmq supports it,
    so their traffic is encrypted and ipykernel no longer warns "running over TCP without
    encryption" (on a terminal that is the first line a student would read)."""
    try:
        import zmq
    except ImportError:
        return
    if zmq.has("curve"):
        c.KernelManager.transport_encryption = "auto"


def lab_config(c, *, mode: str = "student", runs: Path | str | None = None) -> None:
    """The JupyterLab server of ``make lab`` (``mode="student"``) or ``make instructor``
    (``mode="instructor"``); called from ``jupyter/<mode>/jupyter_server_config.py``.

    - the server's, its terminals' and its kernels' PATH starts with this Python's scripts
      (``tensorboard``, ``nbgrader``, ``python`` of the course), whatever shell started it;
    - ``%tensorboard`` shows TensorBoard through jupyter-server-proxy (``TENSORBOARD_PROXY_URL``),
      so it also works on a remote server or JupyterHub, and the Launcher has a "TensorBoard"
      tile on ``runs`` (:func:`cs231n_tools.paths.runs_dir`);
    - kernels are encrypted (:func:`kernel_encryption`); terminals are interactive shells that
      keep the server's PATH (not login shells, which reset it);
    - saving a notebook keeps the kernelspec and language_info it has on disk
      (:func:`keep_notebook_metadata`): opening or validating a source is no git diff;
    - students: nbgrader's instructor server extensions are off (the matching lab extensions are
      disabled in ``jupyter/student/labconfig/page_config.json``); Validate stays.
    """
    if mode not in ("student", "instructor"):
        raise ValueError(f"mode must be 'student' or 'instructor', not {mode!r}")
    ensure_scripts_on_path()
    base_url = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    os.environ.setdefault("TENSORBOARD_PROXY_URL", TENSORBOARD_PROXY.format(base_url=base_url))
    kernel_encryption(c)
    # JupyterLab's terminals: a login shell (its default when not started from a terminal, as
    # under JupyterHub) would reset PATH from /etc/profile; an interactive one keeps it.
    # Without $SHELL (CI, services) a terminal gets bash where there is one, not sh.
    import shutil

    shell = os.environ.get("SHELL") or shutil.which("bash") or "/bin/sh"
    c.ServerApp.terminado_settings = {"shell_command": [shell]}
    c.FileContentsManager.pre_save_hook = keep_notebook_metadata
    # jupyter lab applies the server's configuration twice: the same hook, no news
    import warnings

    warnings.filterwarnings("ignore", message=r"Overriding existing pre_save_hook \(keep_notebook")
    if runs is None:
        from cs231n_tools.paths import runs_dir

        runs = runs_dir()
    c.ServerProxy.servers = {
        TENSORBOARD_PREFIX: {
            "command": [
                sys.executable,
                "-m",
                "cs231n_tools.notebook",  # TensorBoard without importing TensorFlow
                "--logdir",
                str(runs),
                "--port",
                "{port}",
                "--path_prefix",
                "{base_url}" + TENSORBOARD_PREFIX,
                "--reload_interval",
                "5",
            ],
            "absolute_url": True,
            "timeout": 120,
            "launcher_entry": {"title": "TensorBoard", "enabled": True},
        }
    }
    if mode == "student":
        c.ServerApp.jpserver_extensions.update(dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS, False))


def keep_notebook_metadata(model, path, contents_manager=None, **kwargs):
    """A ``FileContentsManager.pre_save_hook``: a notebook saved over an existing file keeps that
    file's ``kernelspec`` and ``language_info`` (JupyterLab writes the running kernel's, with
    this machine's Python version), so opening, running or validating a committed notebook does
    not change it there. A new notebook keeps what the lab wrote."""
    if model.get("type") != "notebook" or contents_manager is None:
        return
    try:
        os_path = contents_manager._get_os_path(path)
        with open(os_path, encoding="utf-8") as fh:
            import json

            on_disk = json.load(fh).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return
    metadata = model.get("content", {}).get("metadata")
    if metadata is None:
        return
    for key in ("kernelspec", "language_info"):
        if key in on_disk:
            metadata[key] = on_disk[key]
        else:
            metadata.pop(key, None)


def ensure_scripts_on_path() -> None:
    """Put this interpreter's script folder on PATH.

    nbgrader runs the ``alembic`` program when it creates a gradebook, and the kernel spec may
    name ``python``: both must come from this environment, also when it is not activated
    (``.venv/bin/python -m pytest``).
    """
    bindir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


def config_for(root: Path | str):
    """A fresh ``traitlets.config.Config`` for the course directory ``root``."""
    from traitlets.config import Config

    c = Config()
    apply_config(c, Path(root))
    return c


def collect_feedback(
    grading: Path | str, root: Path | str, assignment: str = ASSIGNMENT
) -> list[Path]:
    """Put the feedback pages of a course-autograder run ``grading`` (``python -m autograder
    autograde ROOT/submitted --out GRADING``) into the course directory ``root`` where
    ``nbgrader release_feedback`` looks for them: ``root/feedback/<student>/<assignment>/``, with
    the ``timestamp.txt`` and ``submission_secret.txt`` of the student's collected submission
    (nbgrader names the released page after them). Returns the pages copied; a student without
    a collected submission in ``root/submitted`` is skipped."""
    grading, root = Path(grading), Path(root)
    copied = []
    for page in sorted(grading.glob(f"feedback/*/{assignment}/*.html")):
        student = page.parent.parent.name
        submitted = root / "submitted" / student / assignment
        if not (submitted / "timestamp.txt").exists():
            continue
        dest = root / "feedback" / student / assignment
        dest.mkdir(parents=True, exist_ok=True)
        for name in ("timestamp.txt", "submission_secret.txt"):
            if (submitted / name).exists():
                shutil.copy2(submitted / name, dest / name)
        shutil.copy2(page, dest / page.name)
        copied.append(dest / page.name)
    return copied


@dataclass
class NotebookGrade:
    """Scores of one autograded notebook: the total and each graded test cell's."""

    notebook: str
    score: float
    max_score: float
    tests: dict[str, tuple[float, float]] = field(default_factory=dict)

    def lost(self, prefix: str = "") -> dict[str, tuple[float, float]]:
        """Test cells (whose grade_id starts with ``prefix``) that did not get full points."""
        return {k: v for k, v in self.tests.items() if k.startswith(prefix) and v[0] < v[1]}


class Course:
    """A course directory on disk; see the module docstring for its layout."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    # -- creation -------------------------------------------------------------------------
    @classmethod
    def create(
        cls, root: Path | str, notebooks=None, source_dir: Path = SOURCE_NOTEBOOKS
    ) -> "Course":
        """Make a course directory at ``root`` holding copies of the source notebooks
        ``notebooks`` (names without ``.ipynb``; default: all of them)."""
        course = cls(root)
        dest = course.source_dir
        dest.mkdir(parents=True, exist_ok=True)
        for name in notebooks or NOTEBOOKS:
            shutil.copy2(Path(source_dir) / f"{name}.ipynb", dest / f"{name}.ipynb")
        return course

    @property
    def source_dir(self) -> Path:
        return self.root / ASSIGNMENT

    @property
    def release_dir(self) -> Path:
        return self.root / "release" / ASSIGNMENT

    def submitted_dir(self, student: str) -> Path:
        return self.root / "submitted" / student / ASSIGNMENT

    def autograded_dir(self, student: str) -> Path:
        return self.root / "autograded" / student / ASSIGNMENT

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def api(self, **overrides):
        """An :class:`nbgrader.apps.NbGraderAPI` on this course; ``overrides`` maps
        ``"Section.trait"`` to a value (e.g. ``{"Execute.timeout": 30}``)."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        ensure_scripts_on_path()

        config = config_for(self.root)
        for key, value in overrides.items():
            section, trait = key.split(".")
            setattr(config[section], trait, value)
        coursedir = CourseDirectory(config=config)
        return NbGraderAPI(coursedir=coursedir, config=config)

    # -- nbgrader steps ----------------------------------------------------------------------
    def generate_release(self, **overrides) -> Path:
        """``nbgrader generate_assignment notebooks``; returns the release folder."""
        result = self.api(**overrides).generate_assignment(ASSIGNMENT, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(
                f"nbgrader generate_assignment failed:\n{result.get('error') or result.get('log')}"
            )
        return self.release_dir

    def submit(self, student: str, notebooks: dict[str, object]) -> Path:
        """Place a submission: ``notebooks`` maps a notebook name to a path or a NotebookNode."""
        import nbformat

        dest = self.submitted_dir(student)
        dest.mkdir(parents=True, exist_ok=True)
        for name, nb in notebooks.items():
            target = dest / f"{name}.ipynb"
            if isinstance(nb, (str, Path)):
                shutil.copy2(nb, target)
            else:
                nbformat.write(nb, target)
        return dest

    def autograde(self, student: str, **overrides) -> dict[str, NotebookGrade]:
        """``nbgrader autograde notebooks --student <student>``; returns the grades it saved."""
        result = self.api(**overrides).autograde(ASSIGNMENT, student, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(
                f"nbgrader autograde failed for {student}:\n{result.get('error') or result.get('log')}"
            )
        return self.grades(student)

    def grades(self, student: str) -> dict[str, NotebookGrade]:
        """The gradebook's scores for ``student``, per notebook and per graded test cell."""
        from nbgrader.api import Gradebook

        from .results import gradebook_scores

        with Gradebook(self.db_url) as gb:
            names = [nb.name for nb in gb.find_submission(ASSIGNMENT, student).notebooks]
        out: dict[str, NotebookGrade] = {}
        for name in names:
            score, max_score, tests = gradebook_scores(self.db_url, name, student)
            out[name] = NotebookGrade(
                name, score, max_score, {k: tuple(v) for k, v in tests.items()}
            )
        return out
