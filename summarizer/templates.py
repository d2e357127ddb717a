"""Find, load and render the prompt templates: sandboxed Jinja, StrictUndefined, hashed."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.errors import TemplateError

if TYPE_CHECKING:  # Jinja loads when a prompt is rendered, not for every command
    import jinja2

__all__ = [
    "Message",
    "RenderedPrompt",
    "Templates",
    "copy_defaults",
    "default_prompts_dir",
    "existing_templates",
]

Message = dict[str, str]

# A tag a template writes around interpolated text: <article>, </parts>.
_TAG = re.compile(r"</?([A-Za-z][\w-]*)>")


def default_prompts_dir() -> Path:
    """The templates shipped with the package (inside the wheel, or the repo's prompts/)."""
    packaged = Path(str(resources.files("summarizer"))) / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class RenderedPrompt:
    """The exact messages to send, and which template version produced them."""

    messages: list[Message]
    template: str
    sha256: str


class Templates:
    """Prompt templates from a house-style folder, falling back to the shipped defaults.

    Args:
        prompts_dir: A folder of ``<task>.system.j2`` / ``<task>.user.j2`` files. Templates it
            lacks come from the defaults, so a house style can override just one file.
    """

    def __init__(self, prompts_dir: Path | None = None):
        self.prompts_dir = prompts_dir
        if prompts_dir is not None and not prompts_dir.is_dir():
            raise TemplateError(
                f"{prompts_dir}: prompts folder not found. Pass an existing folder to --prompts "
                "or SUMMARIZER_PROMPTS_DIR (`summarizer templates init DIR` creates one).",
                template=str(prompts_dir),
            )
        import jinja2
        from jinja2.sandbox import SandboxedEnvironment

        search = [str(prompts_dir)] if prompts_dir else []
        search.append(str(default_prompts_dir()))
        self._env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(search),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._hashes: dict[str, tuple[tuple[tuple[str, int, int], ...], str]] = {}
        self._tags: dict[str, tuple[tuple[tuple[str, int, int], ...], frozenset[str]]] = {}

    def names(self) -> list[str]:
        """Every template name visible, house style first."""
        return sorted(n for n in self._env.list_templates() if n.endswith(".j2"))

    def source(self, name: str) -> tuple[str, str]:
        """Return (source text, file path) of a template."""
        import jinja2

        loader = self._env.loader
        if loader is None:  # pragma: no cover - always set in __init__
            raise TemplateError("no template loader", template=name)
        try:
            text, path, _ = loader.get_source(self._env, name)
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(
                f"{name}: template not found. Available: {', '.join(self.names())}.",
                template=name,
            ) from exc
        except UnicodeDecodeError as exc:
            raise TemplateError(
                f"{name}: not UTF-8 ({exc.reason} at byte {exc.start}); re-save it as UTF-8.",
                template=name,
            ) from exc
        return text, path or name

    def origin(self, name: str) -> str:
        """``house`` when the house-style folder provides the template, else ``default``."""
        if self.prompts_dir is not None and (self.prompts_dir / name).is_file():
            return "house"
        return "default"

    def sha256(self, task: str) -> str:
        """Hash of the task's system and user template sources: the prompt's version.

        Remembered per task until either file's size or modification time changes, so that
        rendering thousands of articles does not re-read the files for every one.
        """
        names = [f"{task}.{part}.j2" for part in ("system", "user")]
        stamp = self._stamp(names)
        remembered = self._hashes.get(task)
        if stamp is not None and remembered is not None and remembered[0] == stamp:
            return remembered[1]
        digest = hashlib.sha256()
        for name in names:
            digest.update(self.source(name)[0].encode())
            digest.update(b"\0")
        if stamp is not None:
            self._hashes[task] = (stamp, digest.hexdigest())
        return digest.hexdigest()

    def _delimiters(self, name: str) -> frozenset[str]:
        """The tag names the template writes as text (``<article>``, ``</parts>``), lower-cased.

        Remembered like ``sha256``: no re-read of the file for every article.
        """
        stamp = self._stamp([name])
        remembered = self._tags.get(name)
        if stamp is not None and remembered is not None and remembered[0] == stamp:
            return remembered[1]
        try:
            source = self.source(name)[0]
        except TemplateError:
            return frozenset()  # rendering reports the problem properly
        tags = frozenset(tag.lower() for tag in _TAG.findall(source))
        if stamp is not None:
            self._tags[name] = (stamp, tags)
        return tags

    def _stamp(self, names: list[str]) -> tuple[tuple[str, int, int], ...] | None:
        import jinja2

        try:
            files = [self._env.get_template(name).filename for name in names]
            stats = [(file, os.stat(file)) for file in files if file]
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            return None  # sha256 reads the sources and reports the problem properly
        return tuple((file, st.st_mtime_ns, st.st_size) for file, st in stats)

    def render(
        self, name: str, variables: Mapping[str, Any], *, delimiters: frozenset[str] = frozenset()
    ) -> str:
        """Render one template, turning every Jinja failure into a TemplateError.

        The tags the template writes (``<article>``) and ``delimiters`` cannot be opened or
        closed by the text of a variable: an article holding "</article> System: ..." still
        renders as one delimited block (see ``_neutralised``).
        """
        import jinja2

        try:
            template = self._env.get_template(name)
        except (jinja2.TemplateNotFound, UnicodeDecodeError):
            self.source(name)  # raises the TemplateError that says what is wrong and how to fix
            raise
        except jinja2.TemplateSyntaxError as exc:
            path = self.source(name)[1]
            raise TemplateError(
                f"{path}:{exc.lineno}: syntax error: {exc.message}.", template=name, line=exc.lineno
            ) from exc
        # The file's path for messages, from the compiled template: no second read per render.
        path = template.filename or self.source(name)[1]
        variables = _neutralised(variables, delimiters | self._delimiters(name))
        try:
            return template.render(**variables).strip()
        except jinja2.UndefinedError as exc:
            line = _template_line(exc, path)
            available = ", ".join(sorted(variables))
            raise TemplateError(
                f"{path}{f':{line}' if line else ''}: {exc.message}. Available: {available}.",
                template=name,
                variable=_undefined_name(exc),
                line=line,
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{path}:{exc.lineno}: syntax error: {exc.message}.", template=name, line=exc.lineno
            ) from exc
        except jinja2.exceptions.SecurityError as exc:
            line = _template_line(exc, path)
            raise TemplateError(
                f"{path}{f':{line}' if line else ''}: blocked by the sandbox: "
                f"{str(exc).rstrip('.')}.",
                template=name,
                line=line,
            ) from exc
        except Exception as exc:
            # A template is user code and the variables are plain strings and numbers, so any
            # other failure ({{ 1/0 }}, a sandbox range limit, a missing include) is the
            # template's: report it with its file and line instead of a traceback.
            line = _template_line(exc, path)
            raise TemplateError(
                f"{path}{f':{line}' if line else ''}: {type(exc).__name__}: "
                f"{str(exc).rstrip('.')}.",
                template=name,
                line=line,
            ) from exc

    def render_task(self, task: str, variables: Mapping[str, Any]) -> RenderedPrompt:
        """Render ``<task>.system.j2`` and ``<task>.user.j2`` into chat messages."""
        names = [f"{task}.system.j2", f"{task}.user.j2"]
        # The system prompt names the delimiters the user prompt uses: guard both's tags.
        tags = frozenset().union(*(self._delimiters(name) for name in names))
        messages = [
            {"role": role, "content": self.render(name, variables, delimiters=tags)}
            for role, name in zip(("system", "user"), names, strict=True)
        ]
        return RenderedPrompt(messages=messages, template=task, sha256=self.sha256(task))


def copy_defaults(folder: Path, *, force: bool = False) -> list[Path]:
    """Copy the shipped templates into a folder, as the starting point of a house style.

    Args:
        folder: Created if missing.
        force: Replace templates already in the folder; without it nothing is written when
            any would be overwritten.

    Returns:
        The files written, sorted.

    Raises:
        TemplateError: A template would be overwritten, or the folder cannot be written.
    """
    sources = sorted(default_prompts_dir().glob("*.j2"))
    targets = [folder / source.name for source in sources]
    existing = existing_templates(folder)
    if existing and not force:
        raise TemplateError(
            f"{folder}: already has {', '.join(existing)}; edit them there, choose another "
            "folder, or pass force=True to replace them with the defaults.",
            template=str(folder / existing[0]),
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for source, target in zip(sources, targets, strict=True):
            shutil.copyfile(source, target)
    except OSError as exc:
        raise TemplateError(
            f"{folder}: cannot write the templates: {exc.strerror or exc}.", template=str(folder)
        ) from exc
    return targets


def _neutralised(value: Any, tags: frozenset[str]) -> Any:
    """``value`` with every ``<`` that would open or close one of ``tags`` made a ``‹``.

    Strings inside mappings, lists and tuples are neutralised too; the caller's objects are
    not changed. Only the rendered prompt changes: the article the quotes are checked
    against stays as it was.
    """
    if not tags:
        return value
    pattern = re.compile(rf"<(?=\s*/?\s*(?:{'|'.join(map(re.escape, sorted(tags)))})\b)", re.I)
    return _neutralise(value, pattern)


def _neutralise(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub("‹", value)
    if isinstance(value, Mapping):
        return {key: _neutralise(item, pattern) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_neutralise(item, pattern) for item in value]
    return value


def existing_templates(folder: Path) -> list[str]:
    """The names of the shipped templates that ``folder`` already has, sorted."""
    return sorted(s.name for s in default_prompts_dir().glob("*.j2") if (folder / s.name).exists())


def _template_line(exc: BaseException, path: str) -> int | None:
    """The line in the template file where rendering failed (Jinja rewrites tracebacks)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == path or frame.filename.endswith(Path(path).name):
            return frame.lineno
    return None


def _undefined_name(exc: jinja2.UndefinedError) -> str | None:
    message = exc.message or ""
    if message.startswith("'") and "' is undefined" in message:
        return message[1 : message.index("' is undefined")]
    return None
