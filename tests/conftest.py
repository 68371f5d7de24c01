"""Suite-wide settings: Qt runs headless; hypothesis has a CI profile."""

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# HQ keeps its keys outside the database (posloyalty.hq.keys): one key file for the whole run,
# inherited by the HQ servers the tests start. Tests of the embedded default unset it.
if "POSLOYALTY_HQ_KEY_FILE" not in os.environ and "POSLOYALTY_HQ_MASTER_KEYS" not in os.environ:
    import tempfile

    os.environ["POSLOYALTY_HQ_KEY_FILE"] = os.path.join(
        tempfile.mkdtemp(prefix="posloyalty-keys-"), "hq.keys"
    )
