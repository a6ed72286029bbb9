"""tools/send_faults.py, in a few trials: `briefgen send` killed with SIGKILL at random moments,
then run again, delivers every letter exactly once (the report gives the figures of 100 trials).
"""

from __future__ import annotations

import importlib.util
import sys

from conftest import ROOT


def test_send_killed_at_random_moments_then_run_again_delivers_each_letter_exactly_once() -> None:
    spec = importlib.util.spec_from_file_location("send_faults", ROOT / "tools" / "send_faults.py")
    send_faults = importlib.util.module_from_spec(spec)
    sys.modules["send_faults"] = send_faults  # dataclasses look their module up there
    spec.loader.exec_module(send_faults)
    totals = send_faults.run(trials=4, drafts=8, seed=2)
    assert totals.failures == []
    assert (totals.trials, totals.recipients, totals.delivered, totals.duplicates, totals.lost) == (4, 32, 32, 0, 0)
