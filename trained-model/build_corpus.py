#!/usr/bin/env python3
"""Builds the trained demo model's corpus from Debian packages: five languages (the ones Mixtral was released for)
and code.

Run as root with Debian's Python:  /usr/bin/python3 trained-model/build_corpus.py [--no-install]
It installs the packages below with apt-get (unless --no-install), extracts plain text from the files each package
ships (dpkg -L), and writes, outside git:
  trained-model/corpus/<source>.txt    training text
  trained-model/heldout/<source>.txt   every 20th block of whole lines (64 KB, or 1% of a smaller source)
and, committed, trained-model/corpus-manifest.json: per source its package, version, licence, language, and the
sha256, bytes and lines of both texts. Deterministic: sorted file lists, fixed caps, no timestamps.
"""
import argparse
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
HELDOUT = HERE / "heldout"
MANIFEST = HERE / "corpus-manifest.json"

BLOCK_BYTES = 64 * 1024   # hold-out unit: a run of whole lines of about this size (at most)
HOLDOUT_EVERY = 20        # every 20th block (5%) goes to heldout/
LANGUAGES = ["en", "fr", "de", "es", "it", "code"]


@dataclass(frozen=True)
class Source:
    name: str
    package: str
    language: str
    kind: str            # how to extract: debref, man, fortune, java, python
    licence: str         # the licence named by the package's copyright file
    licence_evidence: str  # text that must occur in that copyright file, so a changed licence stops the build
    max_bytes: int = 0   # 0 = everything; otherwise an evenly spaced subset of the files, about this size
    copyright_package: str = None  # package whose /usr/share/doc/<pkg>/copyright covers it, if not its own


SOURCES = [
    *[Source(f"debian-reference-{l}", f"debian-reference-{l}", l, "debref", "GPL-2+", "License: GPL-2+")
      for l in ["en", "fr", "de", "es", "it"]],
    Source("manpages-en", "manpages", "en", "man", "GPL-2+ (and BSD, MIT-style for some pages)", "License: GPL-2+"),
    *[Source(f"manpages-{l}", f"manpages-{l}", l, "man", "GPL-3+", "License: GPL-3+") for l in ["fr", "de", "es", "it"]],
    Source("fortunes-en", "fortunes", "en", "fortune", "BSD (fortune-mod)", "falls under the BSD copyright"),
    Source("fortunes-de", "fortunes-de", "de", "fortune", "GPL-2+", "License: GPL-2+"),
    Source("fortunes-es", "fortunes-es", "es", "fortune", "GPL-2+", "License: GPL-2+"),
    Source("fortunes-it", "fortunes-it", "it", "fortune", "public domain", "freeware (public domain)"),
    Source("java-openjdk17", "openjdk-17-source", "code", "java", "GPL-2 with Classpath exception",
           "GPL2 with Classpath exception", max_bytes=12_000_000, copyright_package="openjdk-17-jre-headless"),
    Source("python-stdlib311", "libpython3.11-stdlib", "code", "python", "PSF-2 (Python Software Foundation)",
           "Python Software Foundation", max_bytes=12_000_000),
]

# Fortune files that are pictures rather than sentences, and the collections Debian marks offensive.
FORTUNE_SKIP = re.compile(r"(/off/|/(ascii-?art|banner)$|\.dat$|\.u8$)")
JAVA_PACKAGES = re.compile(r"^java\.base/java/(lang|util|io|time|text|math|net|nio)/.*\.java$")
LICENCE_HEADER = re.compile(r"\A\s*/\*.*?\*/\s*", re.S)  # OpenJDK's 25-line header, identical in every file


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def package_files(package):
    """Regular files the package installed, sorted; symlinks and folders left out."""
    return sorted(p for p in run("dpkg", "-L", package).splitlines()
                  if os.path.isfile(p) and not os.path.islink(p))


def decode(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_maybe_gz(path):
    data = Path(path).read_bytes()
    return gzip.decompress(data) if path.endswith(".gz") else data


def man_to_text(path):
    """One man page as plain text: groff with no bold, underline, overstrike, hyphenation or justification."""
    src = read_maybe_gz(path)
    if src.lstrip().startswith(b".so "):
        return ""  # a link to another page
    out = subprocess.run(["groff", "-k", "-t", "-man", "-Tutf8", "-P-cbou", "-rHY=0", "-dAD=l", "-rLL=100n"],
                         input=src, capture_output=True, env={**os.environ, "LANG": "C.UTF-8"}).stdout
    lines = decode(out).splitlines()
    lines = [l[7:] if l.startswith(" " * 7) else l for l in lines]  # the body's indent costs tokens, says nothing
    lines = [re.sub(r"(?<=\S)  +", " ", l) for l in lines]  # groff justifies even with -dAD=l in some pages
    return "\n".join(lines)


def spaced_subset(paths, max_bytes):
    """Every k-th file, k chosen so that the subset is about max_bytes: the whole range, not its first folders."""
    if not max_bytes:
        return paths
    total = sum(os.path.getsize(p) for p in paths) if isinstance(paths[0], str) else sum(s for _, s in paths)
    k = max(1, -(-total // max_bytes))
    return paths[::k]


def documents(src):
    """The source's documents as (name, text), in a fixed order."""
    if src.kind == "debref":
        path = f"/usr/share/debian-reference/debian-reference.{src.language}.txt.gz"
        yield path, decode(read_maybe_gz(path))
    elif src.kind == "man":
        pages = [p for p in package_files(src.package) if "/man/" in p and p.endswith(".gz")]
        with ThreadPoolExecutor(max_workers=2) as pool:
            yield from zip(pages, pool.map(man_to_text, pages))
    elif src.kind == "fortune":
        for p in package_files(src.package):
            if "/games/fortunes/" not in p or FORTUNE_SKIP.search(p):
                continue
            u8 = p + ".u8"  # fortunes-it ships UTF-8 copies beside Latin-1 originals
            text = decode(Path(u8 if os.path.exists(u8) else p).read_bytes())
            yield p, re.sub(r"(?m)^%$", "", text)
    elif src.kind == "java":
        zpath = next(p for p in package_files(src.package) if p.endswith("/src.zip"))
        with zipfile.ZipFile(zpath) as z:
            infos = sorted(((i.filename, i.file_size) for i in z.infolist() if JAVA_PACKAGES.match(i.filename)))
            for name, _ in spaced_subset(infos, src.max_bytes):
                yield name, LICENCE_HEADER.sub("", decode(z.read(name)), count=1)
    elif src.kind == "python":
        files = [p for p in package_files(src.package)
                 if p.endswith(".py") and not re.search(r"/(test|tests|idlelib|lib2to3|tkinter|turtledemo)/", p)]
        for p in spaced_subset(files, src.max_bytes):
            yield p, decode(Path(p).read_bytes())
    else:
        raise ValueError(f"unknown kind {src.kind}")


def clean(text):
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    text = re.sub(r"[ ]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def split_heldout(text):
    """Cuts the text into blocks of whole lines and sends every HOLDOUT_EVERY-th block (the 20th, 40th, ...) to
    held-out: spread over the whole source, never a line on both sides. Blocks are BLOCK_BYTES, or smaller so that
    even a small source has 100 of them."""
    block_bytes = min(BLOCK_BYTES, max(1, len(text.encode("utf-8")) // 100))
    train, held, block, size, n = [], [], [], 0, 0
    for line in text.splitlines(keepends=True):
        block.append(line)
        size += len(line.encode("utf-8"))
        if size >= block_bytes:
            n += 1
            (held if n % HOLDOUT_EVERY == 0 else train).append("".join(block))
            block, size = [], 0
    if block:
        train.append("".join(block))
    return "".join(train), "".join(held), block_bytes


def licence_checked(src):
    path = Path("/usr/share/doc") / (src.copyright_package or src.package) / "copyright"
    if src.licence_evidence not in path.read_text(errors="replace"):
        raise SystemExit(f"{path} no longer says '{src.licence_evidence}': check the licence of {src.package}")
    return src.licence


def describe(text):
    data = text.encode("utf-8")
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "lines": text.count("\n")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-install", action="store_true", help="use the packages already installed")
    args = ap.parse_args()
    packages = sorted({s.package for s in SOURCES})
    if not args.no_install:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages], check=True, env=env)
    CORPUS.mkdir(exist_ok=True)
    HELDOUT.mkdir(exist_ok=True)
    manifest = {"holdout_every": HOLDOUT_EVERY, "sources": []}
    for src in SOURCES:
        version = run("dpkg-query", "-W", "-f=${Version}", src.package).strip()
        docs = [(name, clean(text)) for name, text in documents(src)]
        docs = [(name, text) for name, text in docs if text.strip()]
        train, held, block_bytes = split_heldout("\n".join(text for _, text in docs))
        (CORPUS / f"{src.name}.txt").write_text(train, encoding="utf-8")
        (HELDOUT / f"{src.name}.txt").write_text(held, encoding="utf-8")
        entry = {"source": src.name, "language": src.language, "package": src.package, "version": version,
                 "licence": licence_checked(src), "extraction": src.kind, "files": len(docs), "block_bytes": block_bytes,
                 "train": describe(train), "heldout": describe(held)}
        manifest["sources"].append(entry)
        print(f"{src.name:22s} {src.language:4s} {len(docs):5d} files  train {entry['train']['bytes']:>10,d} B"
              f"  heldout {entry['heldout']['bytes']:>9,d} B", flush=True)
    for lang in LANGUAGES:
        total = sum(s["train"]["bytes"] for s in manifest["sources"] if s["language"] == lang)
        print(f"{lang:4s} train {total:>11,d} B")
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST}")


if __name__ == "__main__":
    sys.exit(main())
