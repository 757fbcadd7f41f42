"""Plans as data: the YAML formats, their schemas and the importer."""

from pathlib import Path

BUNDLED = Path(__file__).parent
SEED_PLAN = BUNDLED / "516-KH-TU.yaml"
SEED_AGENCIES = BUNDLED / "agencies-cao-bang.yaml"
