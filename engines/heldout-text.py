#!/usr/bin/env python3
"""Writes the held-out text of a few corpus sources (trained-model/heldout/<source>.txt) without building the whole
corpus: the same extraction and split as trained-model/build_corpus.py (imported, not copied), for the sources named,
from the Debian packages already installed. Each text's sha256 is checked against trained-model/corpus-manifest.json;
a mismatch (another package version) is printed and exits 1, so a sample never silently differs from the held-out
set the demo model was scored on.

Usage (repository root, Debian's Python): /usr/bin/python3 engines/heldout-text.py SOURCE...
"""
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "trained-model"))
import build_corpus as bc  # noqa: E402


def main(names):
    manifest = {s["source"]: s for s in json.loads(bc.MANIFEST.read_text(encoding="utf-8"))["sources"]}
    sources = {s.name: s for s in bc.SOURCES}
    unknown = [n for n in names if n not in sources]
    if not names or unknown:
        print(f"name sources of {bc.MANIFEST}: unknown {unknown}" if unknown else __doc__.splitlines()[-1])
        return 2
    bc.HELDOUT.mkdir(exist_ok=True)
    failed = 0
    for name in names:
        src = sources[name]
        docs = [(n, bc.clean(t)) for n, t in bc.documents(src)]
        text = "\n".join(t for _, t in docs if t.strip())
        _, held, _ = bc.split_heldout(text)
        digest = hashlib.sha256(held.encode("utf-8")).hexdigest()
        want = manifest[name]["heldout"]["sha256"]
        version = bc.run("dpkg-query", "-W", "-f=${Version}", src.package).strip()
        ok = digest == want
        failed += not ok
        (bc.HELDOUT / f"{name}.txt").write_text(held, encoding="utf-8")
        print(f"{name}: {len(held.encode('utf-8')):,d} B, package {src.package} {version}, sha256 {digest[:16]} "
              + ("= manifest" if ok else f"!= manifest {want[:16]} (manifest version {manifest[name]['version']})"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
