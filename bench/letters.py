"""Benchmark of ``briefgen letters``: personalised letters (PDF + e-mail draft) for every MP.

Usage: python bench/letters.py [--n N] [--naive-n N] [--personal] [--json]

Both figures are whole-process wall-clock milliseconds per letter, measured in the same run
on the same brief and recipients:

- ms_per_letter: ``briefgen letters`` as a user runs it (worker processes, one per core), the
  best of 3 runs into a fresh folder each (other programs on a shared machine only add time);
- naive_ms_per_letter: one process rendering each letter as its own WeasyPrint document
  (``render_html`` → ``layout_pdf`` → ``pdf_bytes``) and building its draft;
- peak_rss_mb: the largest peak resident memory of any one process of ``briefgen letters``
  (the parent or a worker);
- cpu_ms_per_letter, naive_cpu_ms_per_letter: CPU time of all the processes of each, per letter.

The brief is the sample brief (English and French) with a synthetic letter contact, since
the sample, built from one news report, has none; the recipients are N synthetic MPs, one
in three asking for French.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "carney-china-2026.yaml"
MPS = 343


#: With --personal, real constituencies, of the lengths they have (a long one may wrap the sentence naming it).
RIDINGS = ("Nunavut", "Ottawa Centre", "Laurier—Sainte-Marie", "Sackville—Bedford—Preston",
           "Abitibi—Baie-James—Nunavik—Eeyou", "Mississauga—Streetsville", "Avignon—La Mitis—Matane—Matapédia",
           "Calgary Centre")
#: With --personal, a sentence of the recipient's own added to the body in each language.
PERSONAL = {"en": "As the Member for {constituency}, you sit on the {committee} committee.",
            "fr": "En tant que députée de {constituency}, vous siégez au comité {committee}."}


def write_inputs(folder: Path, n: int, personal: bool = False) -> tuple[Path, Path]:
    """The sample brief with a letter contact, and ``n`` synthetic recipients, written in ``folder``.

    With ``personal``, the recipients have no salutation (it is built from their courtesy title
    and last name, or a neutral one for every fourth), real constituencies (:data:`RIDINGS`),
    an extra column ``committee``, and the letter's body a paragraph naming ``{constituency}``
    and ``{committee}``.
    """
    brief = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    brief["letter"]["contact"] = {"name": "Casey Contact", "email": "casey@coalition.example"}
    if personal:
        body = brief["letter"].get("body") or {"en": "", "fr": ""}
        body = body if isinstance(body, dict) else {"en": body}
        brief["letter"]["body"] = {language: f"{text}\n\n{PERSONAL[language]}".strip()
                                   for language, text in body.items() if language in PERSONAL}
    brief_path = folder / "brief.yaml"
    brief_path.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False), encoding="utf-8")
    recipients_path = folder / "mps.csv"
    with recipients_path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        if personal:
            writer.writerow(["name", "title", "email", "honorific", "last_name", "language", "constituency",
                             "address", "committee"])
        else:
            writer.writerow(["name", "title", "email", "salutation", "language", "constituency", "address"])
        for number in range(1, n + 1):
            french = number % 3 == 0
            title = "Députée" if french else "Member of Parliament"
            email = f"member{number:03d}@parl.example"
            language, riding, address = "fr" if french else "en", f"Riding {number:03d}", \
                "House of Commons|Ottawa, Ontario K1A 0A6"
            if personal:
                writer.writerow([f"Member {number:03d}", title, email, "" if number % 4 == 0 else "Ms.",
                                 f"Member{number:03d}", language, RIDINGS[number % len(RIDINGS)], address,
                                 ("Finance", "Foreign Affairs", "Health")[number % 3]])
            else:
                writer.writerow([f"Member {number:03d}", title, email,
                                 "Madame la Députée," if french else "Dear Member,", language, riding, address])
    return brief_path, recipients_path


def naive(brief_path: Path, recipients_path: Path, output_dir: Path) -> None:
    """Render each letter alone, one WeasyPrint document after another, and write its PDF and draft."""
    from briefgen.commands.letters import recipient_slugs
    from briefgen.load.recipients import load_recipients
    from briefgen.mail.drafts import letter_draft
    from briefgen.prepare.brief import load_brief
    from briefgen.prepare.letters import choose_languages, find_sender
    from briefgen.render.html import default_theme_dir, render_html
    from briefgen.render.letters import letter_context
    from briefgen.render.pdf import layout_pdf, pdf_bytes
    from briefgen.render.resources import Confinement

    brief = load_brief(brief_path).brief
    recipients = load_recipients(recipients_path)
    languages, _ = choose_languages(brief, recipients, str(recipients_path))
    theme = default_theme_dir()
    drafted = dt.datetime.now(dt.UTC)
    output_dir.mkdir(parents=True)
    for slug, recipient, language in zip(recipient_slugs(recipients), recipients, languages):
        context = letter_context(brief, recipient, language)
        html = render_html("letter.html.j2", context, [theme])
        pdf = pdf_bytes(layout_pdf(html, Confinement(theme, [theme])))
        (output_dir / f"{slug}.pdf").write_bytes(pdf)
        (output_dir / f"{slug}.eml").write_bytes(letter_draft(brief.id, find_sender(brief, language), recipient,
                                                              context, html, pdf, drafted).data)


def _timed(arguments: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the child and all its workers) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def letters_benchmark(n: int = MPS, naive_n: int | None = None, repeats: int = 3, personal: bool = False) -> dict:
    """Time ``briefgen letters`` (best of ``repeats``) and the naive way for ``n`` recipients (the
    naive way for ``naive_n``, default ``n``); return ``{n, ms_per_letter, naive_ms_per_letter,
    peak_rss_mb}`` and the CPU milliseconds per letter of each (``cpu_ms_per_letter``,
    ``naive_cpu_ms_per_letter``)."""
    naive_n = naive_n or n
    with tempfile.TemporaryDirectory() as folder:
        brief, recipients = write_inputs(Path(folder), n)
        merged, merged_cpu = min(_timed([sys.executable, "-m", "briefgen", "letters", str(brief), "--recipients",
                                         str(recipients), "-o", str(Path(folder) / f"out-{run}")])
                                 for run in range(repeats))
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        naive_recipients = recipients
        if naive_n != n:
            (Path(folder) / "subset").mkdir()
            _, naive_recipients = write_inputs(Path(folder) / "subset", naive_n, personal)
        alone, alone_cpu = _timed([sys.executable, __file__, "--naive", str(brief), str(naive_recipients),
                                   str(Path(folder) / "naive")])
    return {"n": n, "ms_per_letter": round(merged * 1000 / n, 1),
            "naive_ms_per_letter": round(alone * 1000 / naive_n, 1), "peak_rss_mb": round(peak_kb / 1024, 1),
            "cpu_ms_per_letter": round(merged_cpu * 1000 / n, 1),
            "naive_cpu_ms_per_letter": round(alone_cpu * 1000 / naive_n, 1)}


def main() -> None:
    """Print the figures as a table, or as one JSON object with --json."""
    parser = argparse.ArgumentParser(description="briefgen letters benchmark")
    parser.add_argument("--n", type=int, default=MPS, help="recipients (default: the 343 MPs)")
    parser.add_argument("--naive-n", type=int, help="recipients for the naive way (default: --n)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--personal", action="store_true",
                        help="salutations built, an extra column and placeholders in the body")
    parser.add_argument("--naive", nargs=3, metavar=("BRIEF", "RECIPIENTS", "OUT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.naive:
        naive(*map(Path, options.naive))
        return
    results = letters_benchmark(options.n, options.naive_n, personal=options.personal)
    if options.json:
        print(json.dumps(results))
        return
    print("| figure | value |\n|---|---|")
    print(f"| `briefgen letters`, {results['n']} recipients, PDF + draft | {results['ms_per_letter']} ms per letter |")
    print(f"| the naive way (one WeasyPrint document per letter, one process) | "
          f"{results['naive_ms_per_letter']} ms per letter |")
    print(f"| CPU time (all processes), `briefgen letters` / the naive way | {results['cpu_ms_per_letter']} / "
          f"{results['naive_cpu_ms_per_letter']} ms per letter |")
    print(f"| peak memory of any one process of `briefgen letters` | {results['peak_rss_mb']} MB |")


if __name__ == "__main__":
    main()
