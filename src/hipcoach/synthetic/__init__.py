"""Synthetic BlazePose series with exactly known reps and cues: ground truth for testing
and benchmarking the form-check engine.

    from hipcoach.synthetic import Scenario, generate
    series, truth = generate(Scenario("clamshell", compensations={"pelvis_rolls_back": [3, 7]}))
"""

from hipcoach.synthetic.generator import generate
from hipcoach.synthetic.scenario import GroundTruth, NoiseModel, Scenario, ScenarioError, TrueRep
from hipcoach.synthetic.specs import SPECS
from hipcoach.synthetic.suite import standard_suite

__all__ = [
    "SPECS",
    "GroundTruth",
    "NoiseModel",
    "Scenario",
    "ScenarioError",
    "TrueRep",
    "generate",
    "standard_suite",
]
