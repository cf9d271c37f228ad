"""QA reviews of the demo company: a few of each agent's handled contacts, scored per demo/truth.py."""

from __future__ import annotations

import numpy as np

from equipoise.demo import truth
from equipoise.demo.build import DemoData


def qa_reviews(data: DemoData) -> list[tuple[int, int, int, str, float, int]]:
    """Rows (contact id, case id, agent id, reviewer, reviewed at in horizon seconds, score).

    Reviews falling after the end of the horizon are not made yet and left out.
    """
    rng = np.random.default_rng([data.spec.seed, truth.QA_STREAM])
    handled = [r for r in data.log.contacts if r[5] is not None and not r[15] and r[12] is not None]
    picked = rng.random(len(handled)) < truth.QA_REVIEW_RATE
    lo, hi = truth.QA_REVIEW_DELAY
    rows = []
    for r in (r for r, keep in zip(handled, picked, strict=True) if keep):
        reviewed = float(r[12]) + float(rng.uniform(lo, hi))
        latent = truth.qa_level(fcr_skill=data.agents[r[5] - 1].fcr_skill, resolved=r[17] == "resolved",
                                transferred=bool(r[16])) + float(rng.normal(0.0, truth.QA_NOISE))
        reviewer = truth.QA_REVIEWERS[int(rng.integers(0, len(truth.QA_REVIEWERS)))]
        if reviewed < data.horizon.end:
            rows.append((r[0], r[1], r[5], reviewer, reviewed, truth.qa_score(latent)))
    return rows
