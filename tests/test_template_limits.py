"""A template that would run for ever, or make gigabytes, is stopped with a message naming it and
its line: in the main thread of ``build`` and in the watcher thread of ``serve``.

The size limits are tested through the real command, with their own values: they are checked
before the text is made, so a refusal takes no time. The time and memory limits are lowered
in-process through the library API (see :mod:`briefgen.render.limits`).
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.commands.serve import PreviewServer
from briefgen.errors import TemplateLimitError
from briefgen.render import limits
from conftest import minimal_brief, run_briefgen, write_brief

LOOP = ("{% extends \"_base.html.j2\" %}{% block body %}<h1>Leave-behind</h1>\n"
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}{% endblock %}")
GROWS = "look for a text, a list or a number that grows without bound"


def theme_with(tmp_path: Path, template: str) -> Path:
    """A theme folder whose leave-behind is ``template``."""
    theme = tmp_path / "theme"
    theme.mkdir(exist_ok=True)
    (theme / "leave-behind.html.j2").write_text(template, encoding="utf-8")
    return theme


def brief(tmp_path: Path) -> Path:
    """The minimal brief, leave-behind only, in a folder of its own."""
    folder = tmp_path / "brief"
    folder.mkdir(exist_ok=True)
    return write_brief(folder, {**minimal_brief(), "documents": ["leave-behind"]})


TOO_BIG = {
    "{{ 'x' * 10**9 }}": f"leave-behind.html.j2:1: makes a text of 1,000,000,000 characters, more than the "
                         f"20,000,000 a template may make: {GROWS}",
    "{{ ('x' * 1000)|replace('x', 'x' * 1000)|replace('x', 'x' * 1000) }}":
        f"leave-behind.html.j2:1: makes a text of 1,000,000,000 characters, more than the 20,000,000 a template may "
        f"make: {GROWS}",
    "{{ range(100000)|join('x' * 100000) }}": f"leave-behind.html.j2:1: makes a text of 10,000,388,890 characters, "
                                              f"more than the 20,000,000 a template may make: {GROWS}",
    "{{ ('x' * 10000).replace('x', 'y' * 10000) }}":
        f"leave-behind.html.j2:1: makes a text of 100,000,000 characters, more than the 20,000,000 a template may "
        f"make: {GROWS}",
    "{{ ''.join(['x' * 10000] * 100000) }}": f"leave-behind.html.j2:1: makes a text of 1,000,000,000 characters, "
                                             f"more than the 20,000,000 a template may make: {GROWS}",
    "{{ [0] * 10**8 }}": f"leave-behind.html.j2:1: makes a list of 100,000,000 items, more than the 20,000,000 a "
                         f"template may make: {GROWS}",
    "{{ 9 ** 1000000000 }}": f"leave-behind.html.j2:1: makes a number of 954,242,510 digits, more than the 4,300 a "
                        f"template may make: {GROWS}",
    "{{ 'x'|center(10**15) }}": f"leave-behind.html.j2:1: ran out of memory: {GROWS}",
    "<p>\n{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}</p>":
        "leave-behind.html.j2:2: renders more than 20,000,000 characters of HTML, the most a document may have "
        "(a 200-issue briefing pack has about 560,000): look for a loop that runs too many times",
}


@pytest.mark.parametrize("template", TOO_BIG)
def test_a_template_making_gigabytes_is_stopped_before_it_makes_them(template: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_briefgen("build", str(brief(tmp_path)), "-o", str(tmp_path / "out"), "--templates",
                          str(theme_with(tmp_path, template)), "--format", "pdf,docx,html")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", TOO_BIG[template] + "\n")
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out").exists()


def test_a_template_loop_is_stopped_in_the_main_thread(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(limits, "TIME_LIMIT_SECONDS", 0.5)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(brief(tmp_path)), "-o", str(tmp_path / "out"), "--templates",
                                       str(theme_with(tmp_path, LOOP)), "--format", "html"])
    assert threading.current_thread() is threading.main_thread()
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("leave-behind.html.j2:2: still rendering after 0.5 seconds, the most a template may "
                             "take (a 200-issue briefing pack takes under a second): look for a loop that runs too "
                             "many times\n")
    assert time.monotonic() - started < 10
    assert not (tmp_path / "out").exists()


def wait_for(condition, what: str, seconds: float = 20, again=None) -> None:
    """Poll ``condition`` until it holds, calling ``again()`` each second; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    next_try = time.monotonic() + 1
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        if again and time.monotonic() > next_try:
            again()  # the watcher may have started watching after the first edit
            next_try += 1
        time.sleep(0.05)


def test_a_template_loop_is_stopped_in_the_watcher_thread_of_serve(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(limits, "TIME_LIMIT_SECONDS", 0.5)
    good = '{% extends "_base.html.j2" %}{% block body %}<h1>Leave-behind {{ n }}</h1>{% endblock %}'
    theme = theme_with(tmp_path, good.replace("{{ n }}", "1"))
    rendered_in = []
    original = limits.render_limited

    def recording(*args):
        rendered_in.append(threading.current_thread().name)
        return original(*args)

    monkeypatch.setattr("briefgen.render.html.render_limited", recording)
    with PreviewServer(brief(tmp_path), 0, theme) as server:
        serving = threading.Thread(target=server.serve)
        serving.start()
        try:
            assert server.site.problems == ()
            template = theme / "leave-behind.html.j2"
            template.write_text(LOOP, encoding="utf-8")
            wait_for(lambda: server.site.problems, "the loop is reported", again=lambda: template.write_text(LOOP))
            assert server.site.problems == (
                "leave-behind.html.j2:2: still rendering after 0.5 seconds, the most a template may take (a 200-issue "
                "briefing pack takes under a second): look for a loop that runs too many times",)
            assert rendered_in[-1] == "briefgen-watch"
            template.write_text(good.replace("{{ n }}", "2"), encoding="utf-8")
            wait_for(lambda: not server.site.problems, "the fixed template is rendered again")
            assert b"<h1>Leave-behind 2</h1>" in server.site.documents["leave-behind.html"].data
        finally:
            server.shutdown()
            serving.join()


def test_a_template_filling_the_memory_is_stopped(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(limits, "MAX_MEMORY_BYTES", 100 << 20)
    monkeypatch.setattr(limits, "POLL_SECONDS", 0.01)
    # Each call of the macro captures a gigabyte, which no output limit sees.
    template = ('{% macro gigabyte() %}{% for i in range(100000) %}{{ "x" * 10000 }}{% endfor %}{% endmacro %}\n'
                '{% for i in range(100) %}{% set text = gigabyte() %}{% endfor %}')
    result = CliRunner().invoke(main, ["build", str(brief(tmp_path)), "-o", str(tmp_path / "out"), "--templates",
                                       str(theme_with(tmp_path, template)), "--format", "html"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("leave-behind.html.j2:1: used more than 100 MB of memory, the most a template may use: "
                             f"{GROWS}\n")


def test_a_render_stopped_at_its_very_end_leaves_no_interruption_behind(monkeypatch, tmp_path: Path) -> None:
    """The watchdog and the end of a render race: whoever wins, the render either finishes or
    fails with the limit's error, and nothing is raised in the thread afterwards."""
    from briefgen.render.html import make_environment, template_search_path

    monkeypatch.setattr(limits, "POLL_SECONDS", 0.001)
    loop = "{% for i in range(n) %}{% for j in range(10) %}{% endfor %}{% endfor %}"
    env = make_environment(template_search_path(theme_with(tmp_path, loop)))
    outcomes = set()
    for _ in range(100):
        monkeypatch.setattr(limits, "TIME_LIMIT_SECONDS", random.uniform(0, 0.01))
        try:
            limits.render_limited(env, "leave-behind.html.j2", {"n": random.randrange(10_000)})
            outcomes.add("finished")
        except TemplateLimitError:
            outcomes.add("stopped")
        # An interruption left pending would be raised here, out of the test.
        sum(range(20_000))
        time.sleep(0.002)
    assert outcomes == {"finished", "stopped"}
    wait_for(lambda: "briefgen-render-watchdog" not in {thread.name for thread in threading.enumerate()},
             "the watchdog's thread ends when it has nothing to watch", seconds=5)
