"""The synthetic world: agency extracts with planted leads, decoys and ground truth."""

from screening.synth.generate import DEFAULT_AS_OF, GeneratedWorld, build_world, generate_world
from screening.synth.scales import SCALES

__all__ = ["DEFAULT_AS_OF", "SCALES", "GeneratedWorld", "build_world", "generate_world"]
