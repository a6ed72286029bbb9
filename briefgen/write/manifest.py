"""Incremental builds: a build whose inputs have not changed since the last one does nothing.

The output folder of a brief keeps a manifest (``.briefgen-build.json``) with, for each
set of build options, a fingerprint of the inputs (briefgen's version, the brief, every
file of the template folders, the files the documents read, the options) and the hash of
each output file. A build with the same fingerprint whose outputs are all still there,
unchanged, is up to date.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.render.resources import confined

MANIFEST_NAME = ".briefgen-build.json"


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _file_hash(path: Path) -> str | None:
    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


def fingerprint(brief_path: Path, template_dirs: list[Path], options: dict[str, Any],
                read_files: dict[str, str | None]) -> str:
    """One hash of everything a build's outputs depend on."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"briefgen": __version__, "options": options, "read": read_files},
                             sort_keys=True, default=str).encode())
    digest.update(brief_path.read_bytes())
    roots = [folder.resolve() for folder in template_dirs]
    for folder in template_dirs:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            # What the templates cannot read (a link out of their folders) cannot change an output.
            if confined(path, roots) is not None:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def options_key(options: dict[str, Any]) -> str:
    """The manifest entry for one set of build options."""
    return json.dumps(options, sort_keys=True, default=str)


def read_manifest(folder: Path) -> tuple[dict[str, Any], str | None]:
    """The manifest of an output folder (empty if there is none), and a warning if it is damaged:
    a damaged manifest only means that everything is built again, and written anew."""
    path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError):
        manifest = None
    if not _is_manifest(manifest):
        return {}, ("warning: damaged: this is not the manifest briefgen writes; every document is built again "
                    "and the manifest written anew")
    return manifest, None


def _is_manifest(data: Any) -> bool:
    """Whether ``data`` has the shape :func:`updated_manifest` writes."""
    return isinstance(data, dict) and all(
        isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)
        and isinstance(entry.get("read"), dict) and isinstance(entry.get("outputs"), dict)
        and all(isinstance(name, str) and isinstance(digest, str) for name, digest in entry["outputs"].items())
        and all(isinstance(name, str) for name in entry["read"])
        for entry in data.values())


def current_read_files(entry: dict[str, Any]) -> dict[str, str | None]:
    """The files the last build read, with their hashes as they are now."""
    return {name: _file_hash(Path(name)) for name in entry.get("read", {})}


def is_up_to_date(output_dir: Path, entry: dict[str, Any], fingerprint_now: str) -> bool:
    """Whether ``entry`` matches ``fingerprint_now`` and every output it lists is unchanged."""
    return (entry.get("fingerprint") == fingerprint_now and bool(entry.get("outputs"))
            and all(_file_hash(output_dir / name) == digest for name, digest in entry["outputs"].items()))


def updated_manifest(manifest: dict[str, Any], key: str, fingerprint_now: str, read_files: dict[str, str | None],
                     outputs: dict[str, str]) -> bytes:
    """The manifest with the entry ``key`` replaced, as the bytes of its file."""
    entries = {**manifest, key: {"fingerprint": fingerprint_now, "read": read_files, "outputs": outputs}}
    return (json.dumps(entries, indent=2, sort_keys=True) + "\n").encode()
