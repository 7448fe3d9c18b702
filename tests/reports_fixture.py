"""Paths and helpers shared by the report tests."""
import shutil
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"


def write_plan(folder: Path, text: str, notebooks=("greet.ipynb", "fails.ipynb")) -> Path:
    """Copy fixture notebooks into ``folder`` and write ``reports.yaml`` there."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in notebooks:
        shutil.copy(FIXTURES / name, folder / name)
    path = folder / "reports.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
