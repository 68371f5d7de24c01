"""Fill resources/i18n/*.ts from a plain table (``source|zh_CN|es`` per line).

Used after ``make i18n`` (pyside6-lupdate) added new source texts; translators can also use
Qt Linguist (``pyside6-linguist``) on the .ts files directly.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = {"zh_CN": 1, "es": 2}


def main(table: Path) -> int:
    rows = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        if line.strip():
            parts = line.split("|")
            rows[parts[0]] = parts
    missing = 0
    for lang, col in COLUMNS.items():
        path = ROOT / "resources" / "i18n" / f"posloyalty_{lang}.ts"
        tree = ET.parse(path)
        for message in tree.getroot().iter("message"):
            source = message.findtext("source") or ""
            target = message.find("translation")
            assert target is not None
            if source in rows:
                target.text = rows[source][col]
                target.attrib.pop("type", None)
            else:
                missing += 1
                print(f"{lang}: no translation for {source!r}", file=sys.stderr)
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
