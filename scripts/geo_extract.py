"""Regenerate ``data/geo/``: a compact extract of France's official geography.

The source is the npm package ``@etalab/decoupage-administratif`` version 6.0.0
(COG 2026; data under the Licence Ouverte / Etalab). The script reads its JSON files
straight from the package tarball and writes four sorted CSV files and a README::

    python scripts/geo_extract.py --tarball etalab-decoupage-administratif-6.0.0.tgz

Without ``--tarball`` it runs ``npm pack @etalab/decoupage-administratif@6.0.0`` in a
temporary directory. The output is deterministic (sorted rows, UTF-8, ``\\n`` line
ends): running it twice on the same tarball gives byte-identical files.

Exit codes: 0 on success, 1 when npm fails or the tarball is unreadable or fails a
consistency check, 2 when the given tarball does not exist.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import cast

__all__ = ["PACKAGE", "VERSION", "SourceError", "extract", "main"]

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "data" / "geo"

COMMUNE_COLUMNS = [
    "code",
    "nom",
    "type",
    "departement",
    "region",
    "siren",
    "population",
    "codes_postaux",
    "epci",
    "ept",
    "commune",
]
INTERCOMMUNALITY_COLUMNS = ["siren", "nom", "type", "mode_financement", "population", "departement"]
DEPARTEMENT_COLUMNS = ["code", "nom", "region", "chef_lieu"]
REGION_COLUMNS = ["code", "nom", "chef_lieu"]

#: Source commune types kept, and the value written in the ``type`` column.
COMMUNE_TYPES = {"commune-actuelle": "commune", "arrondissement-municipal": "arrondissement-municipal"}

#: Paris Est Marne et Bois, the EPT the project starts from: a guard against a broken source.
PEMB_SIREN = "200057941"
PEMB_COMMUNES = [
    "94015",
    "94017",
    "94018",
    "94033",
    "94042",
    "94046",
    "94052",
    "94058",
    "94067",
    "94068",
    "94069",
    "94079",
    "94080",
]


class SourceError(ValueError):
    """The package data is missing a file or fails a consistency check."""


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def npm_pack(workdir: Path) -> Path:
    """Run ``npm pack`` for the pinned package version in *workdir*; return the tarball path."""
    spec = f"{PACKAGE}@{VERSION}"
    try:
        done = subprocess.run(["npm", "pack", spec], cwd=workdir, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise SourceError(f"npm is not installed; install Node.js or pass --tarball PATH ({exc})") from exc
    except subprocess.CalledProcessError as exc:
        raise SourceError(f"`npm pack {spec}` failed: {exc.stderr.strip()}; pass --tarball PATH") from exc
    name = done.stdout.strip().splitlines()[-1]
    return workdir / name


def read_package(tarball: Path) -> dict[str, list[dict]]:
    """Read the six JSON files of the package tarball (``package/data/*.json``)."""
    wanted = ["communes", "epci", "ept", "departements", "regions", "arrondissements"]
    data: dict[str, list[dict]] = {}
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            for name in wanted:
                member = f"package/data/{name}.json"
                try:
                    fh = tar.extractfile(member)
                except KeyError:
                    fh = None
                if fh is None:
                    raise SourceError(f"{tarball}: {member} is missing; is this {PACKAGE} {VERSION}?")
                data[name] = json.load(fh)
            try:
                meta_fh = tar.extractfile("package/package.json")
                meta = json.load(meta_fh) if meta_fh else {}
            except KeyError:
                meta = {}
    except (OSError, tarfile.TarError) as exc:
        raise SourceError(f"cannot read {tarball} as a .tgz: {exc}") from exc
    if meta.get("name") != PACKAGE or meta.get("version") != VERSION:
        raise SourceError(
            f"{tarball} holds {meta.get('name')!r} {meta.get('version')!r}, not {PACKAGE} {VERSION}; "
            f"make it with `npm pack {PACKAGE}@{VERSION}`"
        )
    return data


def build_tables(data: dict[str, list[dict]]) -> dict[str, list[list[str]]]:
    """Turn the package JSON into the rows of the four CSV files (without headers), sorted."""
    communes = {c["code"]: c for c in data["communes"] if c["type"] in COMMUNE_TYPES}

    epci_of: dict[str, str] = {}
    ept_of: dict[str, str] = {}
    member_codes: dict[str, list[str]] = {}
    for group, target in ((data["epci"], epci_of), (data["ept"], ept_of)):
        for inter in group:
            codes = [m["code"] for m in inter["membres"]]
            member_codes[inter["code"]] = codes
            for code in codes:
                if code not in communes:
                    raise SourceError(f"intercommunality {inter['code']} lists unknown commune {code}")
                if code in target:
                    raise SourceError(f"commune {code} belongs to {target[code]} and {inter['code']}")
                target[code] = inter["code"]

    commune_rows = []
    for code in sorted(communes):
        c = communes[code]
        population = c.get("population")
        commune_rows.append(
            [
                code,
                c["nom"],
                COMMUNE_TYPES[c["type"]],
                c["departement"],
                c["region"],
                c.get("siren", ""),
                "" if population is None else str(population),
                " ".join(sorted(c.get("codesPostaux", []))),
                epci_of.get(code, ""),
                ept_of.get(code, ""),
                c.get("commune", ""),
            ]
        )

    inter_rows = []
    for inter in data["epci"] + data["ept"]:
        departements = {communes[code]["departement"] for code in member_codes[inter["code"]]}
        inter_rows.append(
            [
                inter["code"],
                inter["nom"],
                inter["type"],
                inter.get("modeFinancement", ""),
                str(inter["populationMunicipale"]),
                departements.pop() if len(departements) == 1 else "",
            ]
        )
    inter_rows.sort()

    dep_rows = sorted([d["code"], d["nom"], d["region"], d["chefLieu"]] for d in data["departements"])
    reg_rows = sorted([r["code"], r["nom"], r["chefLieu"]] for r in data["regions"])
    return {
        "communes": commune_rows,
        "intercommunalites": inter_rows,
        "departements": dep_rows,
        "regions": reg_rows,
    }


def check_tables(tables: dict[str, list[list[str]]]) -> dict[str, object]:
    """Check the consistency of the tables; return figures for the README.

    Raises
    ------
    SourceError
        When a reference does not resolve or Paris Est Marne et Bois has lost a commune.
    """
    communes = {row[0]: row for row in tables["communes"]}
    inters = {row[0]: row for row in tables["intercommunalites"]}
    deps = {row[0]: row for row in tables["departements"]}
    regs = {row[0]: row for row in tables["regions"]}
    for row in tables["communes"]:
        code, dep, reg, epci, ept, parent = row[0], row[3], row[4], row[8], row[9], row[10]
        if dep not in deps or reg not in regs:
            raise SourceError(f"commune {code}: unknown département {dep!r} or région {reg!r}")
        for siren in (epci, ept):
            if siren and siren not in inters:
                raise SourceError(f"commune {code}: unknown intercommunality {siren}")
        if parent and parent not in communes:
            raise SourceError(f"arrondissement {code}: unknown parent commune {parent}")
    for row in tables["departements"]:
        if row[2] not in regs or row[3] not in communes:
            raise SourceError(f"département {row[0]}: unknown région {row[2]!r} or chef-lieu {row[3]!r}")
    for row in tables["regions"]:
        if row[2] not in communes:
            raise SourceError(f"région {row[0]}: unknown chef-lieu {row[2]!r}")
    pemb = sorted(row[0] for row in tables["communes"] if row[9] == PEMB_SIREN)
    if pemb != sorted(PEMB_COMMUNES):
        raise SourceError(
            f"Paris Est Marne et Bois ({PEMB_SIREN}) has communes {pemb}, expected {PEMB_COMMUNES}"
        )

    kinds: dict[str, int] = defaultdict(int)
    for row in tables["communes"]:
        kinds[row[2]] += 1
    inter_kinds: dict[str, int] = defaultdict(int)
    for row in tables["intercommunalites"]:
        inter_kinds[row[2]] += 1
    sirens = [row[5] for row in tables["communes"] if row[5]]
    return {
        "communes": kinds["commune"],
        "arrondissements": kinds["arrondissement-municipal"],
        "without_siren": sum(1 for row in tables["communes"] if not row[5]),
        "luhn_failures": [s for s in sirens if not _luhn_ok(s)],
        "without_epci": sum(1 for row in tables["communes"] if row[2] == "commune" and not row[8]),
        "inter_kinds": dict(sorted(inter_kinds.items())),
        "departements": len(deps),
        "regions": len(regs),
    }


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


README_TEMPLATE = """\
# data/geo — France's official geography (COG 2026)

Generated by `scripts/geo_extract.py`; do not edit by hand.

## Source

- the npm package `{package}` version {version} (millésime 2026 of the Code officiel
  géographique of INSEE, EPCI à fiscalité propre of the DGCL, EPT of INSEE, legal
  populations of INSEE, postcodes of La Poste), tarball
  `etalab-decoupage-administratif-{version}.tgz`,
  sha256 `{sha256}`.
- Licence of the data: **Licence Ouverte / Etalab** (Open Licence 2.0): reuse is free
  provided the source is credited, e.g. "Source : INSEE, DGCL, La Poste, via
  {package} {version}". The package's code is under MIT; no code is copied here.

## Files (UTF-8, comma-separated, header row, sorted by the first column)

| file | rows | one row per | columns |
|---|---|---|---|
| `communes.csv` | {n_communes} | commune-actuelle ({communes}) or arrondissement municipal of Paris, Lyon, Marseille ({arrondissements}); communes déléguées and associées are left out | `code` (INSEE), `nom`, `type` (`commune` or `arrondissement-municipal`), `departement`, `region`, `siren`, `population` (population municipale), `codes_postaux` (space-separated), `epci` (SIREN of its EPCI à fiscalité propre), `ept` (SIREN of its établissement public territorial, Grand Paris only), `commune` (parent commune of an arrondissement municipal) |
| `intercommunalites.csv` | {n_inters} | EPCI à fiscalité propre or EPT ({inter_kinds}) | `siren`, `nom`, `type` (CC, CA, CU, METRO, MET69, EPT), `mode_financement` (FPU or FA; empty for EPT), `population` (population municipale), `departement` (when all its member communes lie in one département, else empty) |
| `departements.csv` | {departements} | département (101) or collectivité d'outre-mer | `code`, `nom`, `region`, `chef_lieu` (INSEE code of the commune) |
| `regions.csv` | {regions} | région (18) or collectivité d'outre-mer | `code`, `nom`, `chef_lieu` |

Empty cell = the source gives no value.

## Remarks on the official data

- Populations are *municipales* (not *totales*) everywhere. For communes they are
  the INSEE legal populations of the package's `communes.json`; for
  intercommunalities the `populationMunicipale` of `epci.json` / `ept.json`. The EPT
  figures equal the sum of their communes' populations; the EPCI figures (DGCL) often
  differ slightly from that sum because they come from another vintage.
- {without_siren} rows have no SIREN: the 45 arrondissements municipaux (they are not
  legal persons) and the communes of Saint-Pierre-et-Miquelon, Saint-Barthélemy,
  Saint-Martin, the TAAF, Wallis-et-Futuna, French Polynesia, New Caledonia and
  Clipperton.
- {luhn_summary}
- {without_epci} communes-actuelles belong to no EPCI à fiscalité propre: four
  single-commune islands (Île-de-Bréhat, Île-de-Sein, Ouessant, L'Île-d'Yeu) and the
  communes of the collectivités d'outre-mer. Arrondissements municipaux are never
  members themselves; their commune is.
- Collectivités d'outre-mer (975, 977, 978, 984, 986, 987, 988, 989) appear both as a
  département and as a région with the same code, as in the package.
- The source gives commune 97502 (Saint-Pierre, Saint-Pierre-et-Miquelon) as chef-lieu
  of the TAAF (984); it is kept as published.
- Saint-Denis (93066), merged with Pierrefitte-sur-Seine (now a commune déléguée),
  has a new SIREN (929939411) in `communes.json` but none in the member list of
  `ept.json`; `communes.csv` takes its SIREN from `communes.json`, like every SIREN.
- Names are those of `communes.json`; the member lists of `epci.json` sometimes carry
  older or shorter names (e.g. "Oissel" for Oissel-sur-Seine), which are not used.

## Regenerate

```
npm pack {package}@{version}
.venv/bin/python scripts/geo_extract.py --tarball etalab-decoupage-administratif-{version}.tgz
```

or simply `.venv/bin/python scripts/geo_extract.py` (it runs `npm pack` in a temporary
directory). The output is deterministic; check the sha256 above against the tarball.
"""  # noqa: E501 - the Markdown table rows of the generated README cannot be wrapped


def render_readme(sha256: str, tables: dict[str, list[list[str]]], figures: dict[str, object]) -> str:
    """The text of ``data/geo/README.md``."""
    failures = cast(list, figures["luhn_failures"])
    if failures:
        luhn_summary = (
            f"{len(failures)} official commune SIRENs fail the Luhn check digit and are kept as "
            f"published: {', '.join(failures)}."
        )
    else:
        luhn_summary = "Every commune SIREN in `communes.csv` passes the Luhn check digit."
    inter_kinds = cast(dict, figures["inter_kinds"])
    return README_TEMPLATE.format(
        package=PACKAGE,
        version=VERSION,
        sha256=sha256,
        n_communes=len(tables["communes"]),
        n_inters=len(tables["intercommunalites"]),
        inter_kinds=", ".join(f"{n} {k}" for k, n in inter_kinds.items()),
        luhn_summary=luhn_summary,
        **{k: v for k, v in figures.items() if k not in ("inter_kinds", "luhn_failures")},
    )


def extract(tarball: Path, out: Path) -> dict[str, int]:
    """Write the CSV files and the README of *out* from *tarball*; return bytes written per file."""
    sha256 = hashlib.sha256(tarball.read_bytes()).hexdigest()
    tables = build_tables(read_package(tarball))
    figures = check_tables(tables)
    headers = {
        "communes": COMMUNE_COLUMNS,
        "intercommunalites": INTERCOMMUNALITY_COLUMNS,
        "departements": DEPARTEMENT_COLUMNS,
        "regions": REGION_COLUMNS,
    }
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, header in headers.items():
        payload = _csv_bytes(header, tables[name])
        (out / f"{name}.csv").write_bytes(payload)
        sizes[f"{name}.csv"] = len(payload)
    readme = render_readme(sha256, tables, figures).encode("utf-8")
    (out / "README.md").write_bytes(readme)
    sizes["README.md"] = len(readme)
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tarball",
        type=Path,
        help=f"a .tgz made by `npm pack {PACKAGE}@{VERSION}` (default: run npm pack in a temp dir)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: data/geo)")
    args = parser.parse_args(argv)
    try:
        if args.tarball is not None:
            if not args.tarball.is_file():
                print(
                    f"error: {args.tarball} does not exist; make it with `npm pack {PACKAGE}@{VERSION}`",
                    file=sys.stderr,
                )
                return 2
            sizes = extract(args.tarball, args.out)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                sizes = extract(npm_pack(Path(tmp)), args.out)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, size in sizes.items():
        print(f"{args.out / name}: {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
