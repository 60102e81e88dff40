"""Command line: ``python -m course_utils list|info|fetch|verify|pack``."""

from __future__ import annotations

import argparse
import json
import sys

from . import data


def _human(size: int | None) -> str:
    if size is None:
        return "¿?"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return str(size)  # pragma: no cover


def cmd_list(_: argparse.Namespace) -> int:
    rows = []
    for name in data.list_datasets():
        m = data.load_manifest(name)
        rows.append((name, str(len(m.files)), _human(m.total_size), m.license))
    header = ("conjunto", "archivos", "tamaño", "licencia")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    m = data.load_manifest(args.name)
    if args.json:
        print(json.dumps(m.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{m.title}\n\n{m.description}\n")
    print(f"Página: {m.homepage}\nLicencia: {m.license}\nCita: {m.citation}\nEstructura: {m.layout}")
    for f in m.files:
        print(f"- {f.filename} ({_human(f.size)}, {f.checksum or 'sin suma publicada'})")
        for s in f.sources:
            print(f"    {s.describe()}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    root = data.fetch(args.name, source="synthetic" if args.synthetic else "real")
    print(root)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    report = data.verify(args.name)
    marks = {"ok": "OK   ", "missing": "FALTA", "bad": "MAL  "}
    for item in report:
        print(f"{marks[item.status]} {item.filename}: {item.detail}")
    return 0 if all(item.status == "ok" for item in report) else 1


def cmd_pack(args: argparse.Namespace) -> int:
    result = data.pack(args.src_dir, args.name, args.out)
    print(f"Archivo: {result.archive}")
    print(f"Tamaño: {result.size} bytes ({_human(result.size)})")
    print(f"sha256: {result.sha256}")
    print("Súbelo a tu Google Drive, compártelo como «cualquier persona con el enlace» y añade "
          "esto a 'files:' del manifiesto (con el id del archivo):")
    print(result.manifest_snippet(), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils",
        description="Conjuntos de datos del curso: listar, descargar, verificar y empaquetar.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="conjuntos disponibles").set_defaults(func=cmd_list)
    p = sub.add_parser("info", help="el manifiesto de un conjunto")
    p.add_argument("name")
    p.add_argument("--json", action="store_true", help="el manifiesto completo en JSON")
    p.set_defaults(func=cmd_info)
    p = sub.add_parser("fetch", help="descarga (o genera) un conjunto; imprime su carpeta raíz")
    p.add_argument("name")
    p.add_argument("--synthetic", action="store_true", help="usa el gemelo sintético (sin red)")
    p.set_defaults(func=cmd_fetch)
    p = sub.add_parser("verify", help="vuelve a calcular las sumas de los archivos en caché")
    p.add_argument("name")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("pack", help="empaqueta una carpeta preparada en un .zip")
    p.add_argument("src_dir")
    p.add_argument("--name", required=True, help="nombre del .zip")
    p.add_argument("--out", default=None, help="carpeta de salida (por defecto, la actual)")
    p.set_defaults(func=cmd_pack)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (data.DataError, FileNotFoundError, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
