"""Locate the shipped resources (rule presets, translations, Designer files) and load presets."""

from __future__ import annotations

from pathlib import Path

from posloyalty.domain.rules import RuleError, RuleSet, parse_rules_text

_PKG = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def resources_dir() -> Path:
    """``resources/``: inside an installed wheel, or at the top of a source checkout."""
    return _first_existing(_PKG / "_resources", _PKG.parents[1] / "resources")


def ui_dir() -> Path:
    """``ui/`` with the Qt Designer files."""
    return _first_existing(_PKG / "_ui", _PKG.parents[1] / "ui")


def preset_names() -> list[str]:
    return sorted(p.stem for p in (resources_dir() / "rules").glob("*.toml"))


def load_preset(name: str) -> RuleSet:
    """Load a shipped preset by name (``miniso``, ``vancl``)."""
    path = resources_dir() / "rules" / f"{name}.toml"
    if not path.is_file():
        raise RuleError("", f"no preset named {name!r}; known presets: {', '.join(preset_names())}")
    return load_rules_file(path)


def load_rules_file(path: Path) -> RuleSet:
    """Load a rule document from a file; unreadable files are reported as rule errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError("", f"cannot read rule document {str(path)!r}: {exc}") from None
    return parse_rules_text(text)


def preset_text(name: str) -> str:
    """The text of a shipped preset (to publish it, or to derive a document from it)."""
    path = resources_dir() / "rules" / f"{name}.toml"
    if not path.is_file():
        raise RuleError("", f"no preset named {name!r}; known presets: {', '.join(preset_names())}")
    return path.read_text(encoding="utf-8")
