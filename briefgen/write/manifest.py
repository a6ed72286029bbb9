"""Incremental builds: a build whose inputs have not changed since the last one does nothing.

The output folder of a brief keeps a manifest (``.briefgen-build.json``) with, for each
set of build options, a fingerprint of the inputs (briefgen's version, the brief, every
file of the template folders, the files the documents read, the options) and the hash of
each output file. A build with the same fingerprint whose outputs are all still there,
unchanged, is up to date.

Each entry also names the brief file and the options as asked, and keeps the build's
warnings, so that :func:`unchanged_build` can tell an unchanged build from these files
alone, without reading the brief as a brief (which imports the model) or laying out anything.
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


def fingerprint(brief_path: Path, templates: str, options: dict[str, Any],
                read_files: dict[str, str | None]) -> str:
    """One hash of everything a build's outputs depend on; ``templates`` is the
    :func:`templates_digest` of the template folders."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"briefgen": __version__, "options": options, "read": read_files},
                             sort_keys=True, default=str).encode())
    digest.update(brief_path.read_bytes())
    digest.update(templates.encode())
    return digest.hexdigest()


def templates_digest(template_dirs: list[Path]) -> str:
    """One hash of every file of the template folders that the templates can read."""
    digest = hashlib.sha256()
    roots = [folder.resolve() for folder in template_dirs]
    for folder in template_dirs:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            # What the templates cannot read (a link out of their folders) cannot change an output.
            if confined(path, roots) is not None:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def document_record(key: str, files: list[tuple[str, str, bytes, int | None]], read_files: set[str],
                    warnings: list[dict[str, Any]]) -> dict[str, Any]:
    """What the manifest keeps of one document in one language: its :func:`document key
    <briefgen.render.document.document_key>`, its files as ``(path under the output folder,
    format, data, pages)``, the files it read with their hashes, and its warnings."""
    return {"key": key, "read": {name: _file_hash(Path(name)) for name in sorted(read_files)},
            "files": [{"path": path, "format": format_, "sha256": sha256(data), "pages": pages}
                      for path, format_, data, pages in files],
            "warnings": warnings}


def kept_document(output_dir: Path, manifest: dict[str, Any], key: str
                  ) -> tuple[dict[str, Any], list[bytes]] | None:
    """A document of an earlier build in ``manifest`` with the same ``key``, whose files are still
    under ``output_dir`` as it wrote them and whose read files are unchanged: its record and the
    data of its files (in the order of ``record["files"]``); else None."""
    for entry in manifest.values():
        documents = entry.get("documents")
        for record in documents.values() if isinstance(documents, dict) else ():
            if not (isinstance(record, dict) and record.get("key") == key and _is_record(record)):
                continue
            if any(_file_hash(Path(name)) != digest for name, digest in record["read"].items()):
                continue
            data = []
            for file in record["files"]:
                try:
                    content = (output_dir / file["path"]).read_bytes()
                except OSError:
                    break
                if sha256(content) != file["sha256"]:
                    break
                data.append(content)
            else:
                return record, data
    return None


def _is_record(record: dict[str, Any]) -> bool:
    """Whether ``record`` has the shape :func:`document_record` writes."""
    files = record.get("files")
    return (isinstance(record.get("read"), dict) and kept_warnings(record) is not None
            and isinstance(files, list) and bool(files) and all(
                isinstance(file, dict) and isinstance(file.get("path"), str) and isinstance(file.get("format"), str)
                and isinstance(file.get("sha256"), str) and isinstance(file.get("pages"), int | None)
                and not Path(file["path"]).is_absolute() and ".." not in Path(file["path"]).parts
                for file in files))


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


def kept_warnings(entry: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The warnings ``entry`` keeps, as the fields of each, or None if it keeps none (a manifest
    of an earlier release) or they are not as :func:`updated_manifest` writes them."""
    data = entry.get("warnings")
    fields = {"path": str, "line": int, "column": int, "key_path": str, "message": str}
    well_formed = isinstance(data, list) and all(
        isinstance(item, dict) and item.keys() == fields.keys()
        and all(isinstance(item[name], kind) for name, kind in fields.items()) for item in data)
    return data if well_formed else None


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
                     outputs: dict[str, str], *, brief_path: Path, request: str, warnings: list[dict[str, Any]],
                     documents: dict[str, dict[str, Any]]) -> bytes:
    """The manifest with the entry ``key`` replaced, as the bytes of its file: ``request`` is the
    options as asked (:func:`options_key`), ``warnings`` the build's warnings as fields and
    ``documents`` the :func:`document_record` of each document by its file name."""
    entries = {**manifest, key: {"fingerprint": fingerprint_now, "read": read_files, "outputs": outputs,
                                 "brief": str(brief_path.resolve()), "request": request, "warnings": warnings,
                                 "documents": documents}}
    return (json.dumps(entries, indent=2, sort_keys=True) + "\n").encode()


def unchanged_build(output_dir: Path, brief_path: Path, request: str,
                    template_dirs: list[Path]) -> tuple[Path, dict[str, Any]] | None:
    """The folder and manifest entry of the last build of ``brief_path`` into ``output_dir`` with
    the options ``request``, if nothing it depends on has changed since; else None.

    The brief's id, and so its folder, is not known without reading the brief, so every
    manifest under ``output_dir`` is looked at; an entry's key holds the options it was built
    with (the languages as the brief resolved them), which its fingerprint needs.
    """
    brief = str(brief_path.resolve())
    templates = None
    for path in sorted(output_dir.glob(f"*/{MANIFEST_NAME}")):
        manifest, _ = read_manifest(path.parent)
        for key, entry in manifest.items():
            if entry.get("brief") != brief or entry.get("request") != request or kept_warnings(entry) is None:
                continue
            try:
                settings = json.loads(key)
            except ValueError:  # not a key briefgen wrote: the whole build decides
                continue
            templates = templates or templates_digest(template_dirs)
            if is_up_to_date(output_dir, entry, fingerprint(brief_path, templates, settings,
                                                            current_read_files(entry))):
                return path.parent, entry
    return None
