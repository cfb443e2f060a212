import subprocess
import sys

import rlbook


def test_every_public_name_exists_and_is_listed_once():
    assert len(set(rlbook.__all__)) == len(rlbook.__all__)
    missing = [name for name in rlbook.__all__ if not hasattr(rlbook, name)]
    assert missing == []


def test_import_rlbook_does_not_import_matplotlib():
    code = "import sys, rlbook; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
