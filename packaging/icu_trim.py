"""Shrink the ICU data library of a Linux build (31 MB of libicudata.so) to what Qt needs.

    python packaging/icu_trim.py dist/inspector

Qt Core links ICU; the app needs its converters, character properties, break rules, time
zones and the locales' own data, but none of the display names of languages, regions,
currencies and units, transliterators, spelled-out numbers, collation tables, time zones
(Qt reads the system's), word dictionaries, legacy converters, or the data of locales
other than Chinese and English (Qt keeps its own locale data; the app sorts in SQL). This takes the data out of the library,
removes those items with `icupkg`, and builds the library again from the rest with
`genccode` and the C compiler (Debian: icu-devtools, gcc). Without those tools it leaves
the build as it is and says so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DROP = ("lang/", "region/", "curr/", "unit/", "translit/", "rbnf/", "coll/", "zone/")
#: Locales whose own data stays (the rest fall back to the root locale).
KEEP_LOCALES = ("root", "en", "zh")
#: Converters that stay (Qt has its own UTF codecs; the app reads GB 18030 with Python's).
KEEP_CONVERTERS = ("gb18030.cnv",)
_NOT_LOCALES = {"res_index", "pool", "supplementalData", "likelySubtags", "metaZones",
                "timezoneTypes", "windowsZones", "keyTypeData", "numberingSystems",
                "plurals", "dayPeriods", "genderList", "grammaticalFeatures", "icustd",
                "icuver", "zoneinfo64", "units", "currencyNumericCodes", "tzdbNames"}


def dropped(item: str) -> bool:
    """Whether the data item `item` (as icupkg lists it) goes."""
    if item.startswith(DROP):
        return True
    folder, _, name = item.rpartition("/")
    if name.endswith(".dict"):  # word dictionaries (Thai, Lao, CJK, ...): Qt segments text itself
        return True
    if not folder and name.endswith(".cnv"):
        return name not in KEEP_CONVERTERS
    stem = name.removesuffix(".res")
    if not folder and name.endswith(".res") and stem not in _NOT_LOCALES \
            and stem[:1].islower() and stem.split("_")[0].isalpha() \
            and len(stem.split("_")[0]) <= 3:
        return stem.split("_")[0] not in KEEP_LOCALES
    return False
TOOLS = ("icupkg", "genccode", "gcc", "readelf", "nm")


def _symbol(lib: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the icudtNN_dat symbol."""
    out = subprocess.run(["nm", "-D", "-S", str(lib)], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3].startswith("icudt") and parts[3].endswith("_dat"):
            address, size, name = int(parts[0], 16), int(parts[1], 16), parts[3]
            break
    else:
        raise SystemExit(f"{lib}: no icudt*_dat symbol")
    sections = subprocess.run(["readelf", "-S", "-W", str(lib)], capture_output=True,
                              text=True, check=True).stdout
    for line in sections.splitlines():
        parts = line.replace("[ ", "[").split()
        if ".rodata" in parts:
            i = parts.index(".rodata")
            start, offset = int(parts[i + 2], 16), int(parts[i + 3], 16)
            return name, offset + address - start, size
    raise SystemExit(f"{lib}: no .rodata section")


def trim(folder: Path) -> int:
    libs = [p for p in folder.rglob("libicudata.so.*") if not p.is_symlink()]
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if not libs or missing:
        why = "no libicudata" if not libs else "no " + ", ".join(missing)
        print(f"icu_trim: left as it is ({why})")
        return 0
    for lib in libs:
        name, offset, size = _symbol(lib)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            entry = name.removesuffix("_dat")  # icudt73
            dat = work / f"{entry}l.dat"
            with open(lib, "rb") as f:
                f.seek(offset)
                dat.write_bytes(f.read(size))
            items = subprocess.run(["icupkg", "-l", str(dat)], capture_output=True, text=True,
                                   check=True).stdout.split()
            gone = [item for item in items if dropped(item)]
            (work / "drop.txt").write_text("\n".join(gone) + "\n")
            subprocess.run(["icupkg", "--ignore-deps", "-r", str(work / "drop.txt"), str(dat)],
                           check=True,
                           capture_output=True)
            subprocess.run(["genccode", "-e", entry, "-d", str(work), str(dat)], check=True,
                           capture_output=True)
            [source] = work.glob("*.c")
            # genccode names the symbol after the package (icudt73l); ICU looks for icudt73.
            code = source.read_text("latin-1")
            if name not in code:
                code = code.replace(f"{entry}l_dat", name)
            source.write_text(code, "latin-1")
            soname = lib.name
            out = work / soname
            subprocess.run(["gcc", "-shared", "-O0", "-o", str(out), str(source),
                            f"-Wl,-soname,{soname}"], check=True, capture_output=True)
            before = lib.stat().st_size
            shutil.copyfile(out, lib)
            print(f"icu_trim: {lib.name} {before >> 20} MB -> {lib.stat().st_size >> 20} MB "
                  f"({len(gone)} of {len(items)} items removed)")
    return 0


if __name__ == "__main__":
    sys.exit(trim(Path(sys.argv[1])))
