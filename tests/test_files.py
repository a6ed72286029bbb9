"""briefgen/write/files.py and briefgen/workers.py under faults: real processes killed with SIGKILL
and interrupted with SIGINT at random moments, a full disk and a read-only file system (small
tmpfs mounts in a mount namespace of the test's own), a file in the way of the output folder.

After every fault the output folder holds the old set of files or the new one, never a mix;
nothing is left over once the next command has run (nothing at all after Ctrl-C); and no
worker process outlives its command.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import (LETTER_BRIEF, PEOPLE, processes_naming, require_tool, run_briefgen, write_brief,
                      write_recipients)

#: Trials of each command in the suite; tools/fault_trials.py runs more.
TRIALS = int(os.environ.get("BRIEFGEN_FAULT_TRIALS", "12"))


def snapshot(folder: Path) -> dict[str, str]:
    """Each file under ``folder`` (relative name) and its SHA-256; drafts by name only (they carry the date)."""
    return {str(path.relative_to(folder)): "" if path.suffix == ".eml" else
            hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def leftovers(output_dir: Path) -> list[str]:
    """Staging folders and lock files briefgen left in an output folder (and in the brief's folder)."""
    return sorted(str(path.relative_to(output_dir)) for path in output_dir.rglob(".briefgen-*")
                  if path.name != ".briefgen-build.json" and path.name != ".briefgen-letters.json")


def briefgen_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "briefgen", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def versions(folder: Path) -> tuple[Path, dict, dict]:
    """The letter brief's path and its two versions (the second with a changed letter and title)."""
    first = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    second = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    second["title"] = "Letter test brief, second version"
    second["letter"]["body"]["en"] += " This is the second version."
    return folder / "brief.yaml", first, second


def run_trials(tmp_path: Path, command: list[str], result_folder: str, trials: int) -> dict[str, int]:
    """Kill ``command`` (version two of the brief over version one's outputs) at random moments
    ``trials`` times; count the outcomes, and fail on a mixed set, a leftover or a survivor."""
    brief, first, second = versions(tmp_path)
    references = {}
    for name, data in (("old", first), ("new", second)):
        write_brief(tmp_path, data)
        out = tmp_path / f"reference-{name}"
        done = subprocess.run([sys.executable, "-m", "briefgen", *command, "-o", str(out)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
        references[name] = out
    write_brief(tmp_path, second)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "briefgen", *command, "-o", str(tmp_path / "timing")], check=True,
                   capture_output=True)
    duration = time.monotonic() - started
    sets = {name: snapshot(out / result_folder) for name, out in references.items()}
    counts = {"old": 0, "new": 0, "sigint": 0, "sigkill": 0}
    chosen = random.Random(15)
    for trial in range(trials):
        out = tmp_path / f"trial-{trial}"
        shutil.copytree(references["old"], out, symlinks=True)
        process = briefgen_process(*command, "-o", str(out))
        # Most kills fall late, in the writing, where a mix could happen.
        time.sleep(duration * chosen.choice([chosen.uniform(0.1, 0.9), chosen.uniform(0.8, 1.1)]))
        kind = chosen.choice([signal.SIGINT, signal.SIGKILL])
        process.send_signal(kind)
        _, stderr = process.communicate(timeout=120)
        counts["sigint" if kind == signal.SIGINT else "sigkill"] += 1
        deadline = time.monotonic() + 10
        while processes_naming(str(out)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_naming(str(out)) == [], f"trial {trial}: a process outlived its command"
        found = snapshot(out / result_folder)
        outcome = next((name for name, expected in sets.items() if found == expected), None)
        assert outcome is not None, f"trial {trial} ({kind.name}): a mixed set of files: {sorted(found)}"
        counts[outcome] += 1
        if kind == signal.SIGINT:
            # 130: interrupted; 0: it had finished; -2: the signal came as Python started or ended,
            # before or after its handler was there.
            assert process.returncode in (0, 130, -signal.SIGINT), stderr
            if process.returncode == 130:
                assert stderr.endswith("interrupted: nothing more was written\n"), stderr
            assert leftovers(out) == [], f"trial {trial}: Ctrl-C left {leftovers(out)}"
        again = subprocess.run([sys.executable, "-m", "briefgen", *command, "-o", str(out)], capture_output=True,
                               text=True, check=False)
        assert again.returncode == 0, again.stderr
        assert leftovers(out) == [], f"trial {trial}: the next run left {leftovers(out)}"
        assert snapshot(out / result_folder) == sets["new"]
        shutil.rmtree(out)
    print(f"{command[0]}: {trials} trials: {counts}")  # shown with pytest -s (tools' fault runs)
    return counts


def test_build_killed_at_random_leaves_the_old_set_or_the_new_one(tmp_path: Path) -> None:
    counts = run_trials(tmp_path, ["build", str(tmp_path / "brief.yaml"), "--format", "pdf,docx"], "letter-test",
                        TRIALS)
    assert counts["old"] + counts["new"] == TRIALS


def test_letters_killed_at_random_leave_the_old_set_or_the_new_one(tmp_path: Path) -> None:
    recipients = write_recipients(tmp_path, [{**person, "email": f"{number}{person['email']}"}
                                             for number in range(4) for person in PEOPLE])
    counts = run_trials(tmp_path, ["letters", str(tmp_path / "brief.yaml"), "--recipients", str(recipients),
                                   "--jobs", "2"], "letter-test/letters", TRIALS)
    assert counts["old"] + counts["new"] == TRIALS


def test_a_worker_dies_with_its_command(tmp_path: Path) -> None:
    brief, first, _ = versions(tmp_path)
    write_brief(tmp_path, first)
    # --jobs: workers even on a machine of one core, where a build lays its documents out alone.
    process = briefgen_process("build", str(brief), "--format", "pdf", "--jobs", "2", "-o", str(tmp_path / "out"))
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and process.poll() is None and time.monotonic() < deadline:
        candidates = [pid for pid in processes_naming(str(tmp_path / "out")) if pid != process.pid]
        # A child the build runs (fc-list) bears its command line from fork to exec: a worker
        # is a process that still does a moment later.
        time.sleep(0.05)
        workers = [pid for pid in processes_naming(str(tmp_path / "out")) if pid in candidates]
    assert workers, f"the build started no worker (it ended with {process.poll()}: {process.communicate()[1]!r})"
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while processes_naming(str(tmp_path / "out")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert processes_naming(str(tmp_path / "out")) == []


def in_namespace(tmp_path: Path, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) as root of a user and mount namespace of its own, where it may mount tmpfs."""
    unshare = require_tool("unshare")
    probe = subprocess.run([unshare, "--user", "--map-root-user", "--mount", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        message = f"unshare cannot make a mount namespace here: {probe.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return subprocess.run([unshare, "--user", "--map-root-user", "--mount", "sh", "-euc", script],
                          capture_output=True, text=True, check=False, cwd=tmp_path,
                          env={**os.environ, "BRIEFGEN": f"{sys.executable} -m briefgen"})


def test_a_full_disk_is_a_message_and_leaves_the_outputs_as_they_were(tmp_path: Path) -> None:
    brief, first, second = versions(tmp_path)
    write_brief(tmp_path, second, "second.yaml")
    write_brief(tmp_path, first)
    disk = tmp_path / "disk"
    disk.mkdir()
    result = in_namespace(tmp_path, f"""
        mount -t tmpfs -o size=1200k tmpfs {disk}
        $BRIEFGEN build {brief} --format pdf -o {disk}/out > /dev/null
        cp {disk}/out/letter-test/letter.pdf {tmp_path}/before.pdf
        dd if=/dev/zero of={disk}/filler bs=4k 2> /dev/null || true
        cp {tmp_path}/second.yaml {brief}
        $BRIEFGEN build {brief} --format pdf -o {disk}/out || echo "exit $?"
        cmp {disk}/out/letter-test/letter.pdf {tmp_path}/before.pdf && echo unchanged
        ls -A {disk}/out
    """)
    assert result.stdout.splitlines() == ["exit 1", "unchanged", "letter-test"], result.stderr
    assert result.stderr.endswith(": no space left on the disk; nothing was written: free some space, or write "
                                  "elsewhere with -o\n"), result.stderr
    assert "Traceback" not in result.stderr


def test_letters_on_a_full_disk_is_a_message(tmp_path: Path) -> None:
    recipients = write_recipients(tmp_path, PEOPLE)
    disk = tmp_path / "disk"
    disk.mkdir()
    result = in_namespace(tmp_path, f"""
        mount -t tmpfs -o size=256k tmpfs {disk}
        dd if=/dev/zero of={disk}/filler bs=4k count=40 2> /dev/null
        $BRIEFGEN letters {LETTER_BRIEF} --recipients {recipients} --jobs 2 -o {disk}/out || echo "exit $?"
        ls -A {disk}
    """)
    assert result.stdout.splitlines() == ["exit 1", "filler"], result.stderr
    assert result.stderr.endswith(": no space left on the disk; nothing was written: free some space, or write "
                                  "elsewhere with -o\n"), result.stderr


def test_a_read_only_output_folder_is_a_message(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8")))
    disk = tmp_path / "disk"
    disk.mkdir()
    result = in_namespace(tmp_path, f"""
        mount -t tmpfs -o size=4m tmpfs {disk}
        $BRIEFGEN build {brief} --format html -o {disk}/out > /dev/null
        mount -o remount,ro {disk}
        $BRIEFGEN build {brief} --format html --force -o {disk}/out || echo "exit $?"
        $BRIEFGEN build {brief} --format html -o {disk}/elsewhere || echo "exit $?"
    """)
    assert result.stdout.splitlines() == ["exit 1", "exit 1"], result.stderr
    assert result.stderr.splitlines() == [
        f"{disk}/out: the file system is read-only; nothing was written: write elsewhere with -o",
        f"{disk}/elsewhere: the file system is read-only; nothing was written: write elsewhere with -o"]


def test_a_file_in_the_way_of_the_output_folder_is_a_message(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8")))
    (tmp_path / "a-file").write_text("mine", encoding="utf-8")
    result = run_briefgen("build", str(brief), "--format", "html", "-o", str(tmp_path / "a-file" / "out"))
    assert result.returncode == 2
    assert result.stderr == (f"{tmp_path / 'a-file' / 'out'}: a file is in the way of the output folder; nothing "
                             "was written: choose another folder with -o\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "letter-test").write_text("mine", encoding="utf-8")
    result = run_briefgen("build", str(brief), "--format", "html", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == (f"{tmp_path / 'out' / 'letter-test'}: a file is in the way of the output folder; "
                             "nothing was written: move it away or choose another folder with -o\n")
    assert (tmp_path / "out" / "letter-test").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("damage", ["[]", "{not json", '{"key": {"fingerprint": 3}}', '{"k": {"fingerprint": "x", '
                                    '"read": {}, "outputs": {"a": 1}}}'])
def test_a_damaged_build_manifest_means_building_everything_again(tmp_path: Path, damage: str) -> None:
    brief = write_brief(tmp_path, yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8")))
    out = tmp_path / "out"
    assert run_briefgen("build", str(brief), "--format", "html", "-o", str(out)).returncode == 0
    manifest = out / "letter-test" / ".briefgen-build.json"
    manifest.write_text(damage, encoding="utf-8")
    result = run_briefgen("build", str(brief), "--format", "html", "-o", str(out))
    assert result.returncode == 0
    assert result.stderr == (f"{manifest}:1:1: warning: damaged: this is not the manifest briefgen writes; every "
                             "document is built again and the manifest written anew\n")
    assert result.stdout.count("wrote ") == 4
    again = run_briefgen("build", str(brief), "--format", "html", "-o", str(out))
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.startswith("up to date: ")


def test_the_files_of_the_user_and_of_other_runs_stay_when_a_build_switches_the_folder(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8")))
    out = tmp_path / "out"
    assert run_briefgen("build", str(brief), "--format", "html", "--lang", "fr", "-o", str(out)).returncode == 0
    folder = out / "letter-test"
    (folder / "notes").mkdir()
    (folder / "notes" / "mine.txt").write_text("mine", encoding="utf-8")
    (folder / "link").symlink_to("notes/mine.txt")
    inode = (folder / "notes" / "mine.txt").stat().st_ino
    assert run_briefgen("build", str(brief), "--format", "html", "-o", str(out)).returncode == 0
    assert (folder / "notes" / "mine.txt").stat().st_ino == inode
    assert (folder / "link").read_text(encoding="utf-8") == "mine"
    assert {path.name for path in folder.glob("*.html")} == {
        f"{document}{language}.html" for document in ("briefing-pack", "delegation-pack", "leave-behind", "letter")
        for language in ("", ".fr")}
    assert oct(folder.stat().st_mode & 0o777) == oct(0o777 & ~current_umask())


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_without_a_swap_the_files_are_replaced_one_by_one_and_the_others_kept(tmp_path: Path, monkeypatch) -> None:
    import briefgen
    from briefgen.write import files

    monkeypatch.setattr(files, "_exchange", lambda first, second: False)  # a file system that cannot swap
    brief, first, second = versions(tmp_path)
    write_brief(tmp_path, first)
    options = briefgen.BuildOptions(output_dir=tmp_path / "out", formats=("html",))
    briefgen.build(brief, options)
    folder = tmp_path / "out" / "letter-test"
    (folder / "mine.txt").write_text("mine", encoding="utf-8")
    write_brief(tmp_path, second)
    result = briefgen.build(brief, options)
    assert [path.name for path in result.written] == [f"{document}.html" for document in (
        "briefing-pack", "delegation-pack", "leave-behind", "letter")]
    assert "second version" in (folder / "briefing-pack.html").read_text(encoding="utf-8")
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "mine"
    assert leftovers(tmp_path / "out") == []


def test_a_folder_another_briefgen_holds_too_long_is_a_message(tmp_path: Path, monkeypatch) -> None:
    import fcntl

    import briefgen
    from briefgen.errors import OutputError
    from briefgen.write import files

    monkeypatch.setattr(files, "LOCK_WAIT_SECONDS", 0.2)
    brief, first, _ = versions(tmp_path)
    write_brief(tmp_path, first)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".briefgen-letter-test.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(OutputError) as raised:
            briefgen.build(brief, briefgen.BuildOptions(output_dir=out, formats=("html",)))
    assert str(raised.value) == (f"{out / 'letter-test'}: another briefgen has been writing here for 0.2 s; "
                                 "nothing was written: try again when it has finished")
    assert sorted(path.name for path in out.iterdir()) == [".briefgen-letter-test.lock"]


def _killed_by_itself(_job) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_in_a_job_fails_the_command_with_a_message() -> None:
    from briefgen.errors import BuildError
    from briefgen.workers import Workers

    with Workers(2) as workers, pytest.raises(BuildError) as raised:
        list(workers.run(_killed_by_itself, [1, 2]))
    assert str(raised.value) == ("a worker process was killed by signal 9 while it was laying out; nothing was "
                                 "written. If the machine is short of memory, run again with fewer at a time "
                                 "(letters: --jobs 1)")
