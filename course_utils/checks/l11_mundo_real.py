"""Checkers for lesson 11 (IA en el mundo real)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from course_utils.exercises import Wrong, as_number, exercise, near

DIRECTIONS = ("sube", "baja", "igual")


def _example() -> pd.DataFrame:
    return pd.DataFrame({
        "grupo": ["a", "a", "a", "a", "b", "b", "c", "c", "c"],
        "label": [1, 0, 1, 0, 1, 1, 0, 0, 1],
        "pred": [1, 0, 0, 0, 0, 0, 0, 1, 1],
    })


def _tasas_de_error(tabla):
    # True donde el modelo se equivoca; su media por grupo es la tasa de error
    errores = tabla["pred"] != tabla["label"]
    return errores.groupby(tabla["grupo"]).mean().to_dict()


@exercise(
    "11.tasas_de_error",
    hint="agrupa las filas por la columna grupo y, en cada grupo, calcula qué fracción tiene "
         "pred distinto de label.",
    worked_step="errores = tabla['pred'] != tabla['label'] es una columna de True/False; la "
                "media de True/False es la fracción de True. Falta agruparla por tabla['grupo'].",
    solution=_tasas_de_error,
    explanation="La tasa de error de un grupo es la media de (pred != label) en sus filas: "
                "groupby por grupo, media y to_dict().",
)
def error_rates(answer: Any) -> str | None:
    """A function DataFrame(grupo, label, pred) -> {grupo: share of rows with pred != label}."""
    if not callable(answer):
        raise Wrong("entrega una función `tasas_de_error(tabla)`, no un valor.")
    table = _example()
    expected = {"a": 0.25, "b": 1.0, "c": 1 / 3}
    try:
        result = answer(table.copy())
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló con una tabla de ejemplo ({type(exc).__name__}: {exc}).") from exc
    if result is None:
        return "tu función no devuelve nada: agrega un return con el diccionario."
    if isinstance(result, pd.Series):
        result = result.to_dict()
    if not isinstance(result, Mapping):
        raise Wrong("devuelve un diccionario {grupo: tasa de error}.")
    if set(result) != set(expected):
        return f"el diccionario debe tener una clave por grupo ({sorted(expected)}); tiene {sorted(map(str, result))}."
    try:
        got = {k: as_number(v) for k, v in result.items()}
    except Wrong as exc:
        raise Wrong(f"cada tasa debe ser un número: {exc}") from exc
    accuracy = {"a": 0.75, "b": 0.0, "c": 2 / 3}
    if all(np.isclose(got[k], accuracy[k]) for k in expected):
        return "calculaste la tasa de aciertos; la de error es la fracción con pred distinto de label."
    if not all(np.isclose(got[k], expected[k]) for k in expected):
        wrong = [k for k in expected if not np.isclose(got[k], expected[k])]
        return f"revisa los grupos {wrong}: divide los errores del grupo por las filas de ese grupo."
    return None


@exercise(
    "11.umbral",
    hint="con un umbral más alto el modelo dice «mujer» menos veces.",
    worked_step="los clips con probabilidad entre 0,5 y 0,7 pasan de «mujer» a «hombre»: las "
                "mujeres entre ellos se vuelven errores y los hombres entre ellos dejan de serlo.",
    solution={"mujeres_como_hombres": "sube", "hombres_como_mujeres": "baja"},
    explanation="Subir el umbral hace que el modelo diga «mujer» menos veces: más mujeres "
                "clasificadas como hombres (sube) y menos hombres clasificados como mujeres (baja).",
)
def threshold_effect(answer: Any) -> str | None:
    """Raising the threshold: more women predicted as men, fewer men predicted as women."""
    if not isinstance(answer, Mapping) or set(answer) != {"mujeres_como_hombres", "hombres_como_mujeres"}:
        raise Wrong('completa el diccionario {"mujeres_como_hombres": ..., "hombres_como_mujeres": ...}.')
    values = {k: str(v).strip().lower() for k, v in answer.items()}
    if not all(v in DIRECTIONS for v in values.values()):
        raise Wrong('cada valor debe ser "sube", "baja" o "igual".')
    women, men = values["mujeres_como_hombres"], values["hombres_como_mujeres"]
    if women == "sube" and men == "baja":
        return None
    if women == "baja" and men == "sube":
        return "es al revés: con un umbral más alto el modelo dice «mujer» menos veces."
    if "igual" in (women, men):
        return ("en general ambos cambian: las probabilidades entre 0,5 y 0,7 pasan de «mujer» a "
                "«hombre», y eso mueve errores de un tipo al otro.")
    return "piensa qué clips cambian de decisión: los que tienen probabilidad entre 0,5 y 0,7."


@exercise(
    "11.ece",
    hint="por intervalo: |frecuencia observada − probabilidad media| × clips / total.",
    worked_step="el intervalo de 0,8 observa 3/5 = 0,6 (brecha 0,2) y el de 0,1 observa 1/5 = 0,2 "
                "(brecha 0,1); cada uno tiene la mitad de los clips.",
    solution=0.15,
    explanation="Brechas de 0,2 y 0,1, cada una con 5 de 10 clips: (5 × 0,2 + 5 × 0,1) / 10 = 0,15.",
)
def ece_example(answer: Any) -> str | None:
    """Bins 0.8 (observed 0.6) and 0.1 (observed 0.2), 5 clips each: (5*0.2 + 5*0.1) / 10 = 0.15.

    Two decimals asked: 0.15 (and 0.150, 0.1500...) is right."""
    value = as_number(answer, "0.3")
    if near(value, 0.15, 2):
        return None
    if near(value, 0.3, 2):
        return "sumaste las dos diferencias sin ponderar: cada intervalo pesa por su fracción de clips (la mitad)."
    if near(value, 0.2, 2):
        return "esa es solo la brecha del intervalo de 0,8; promedia con la del intervalo de 0,1."
    if near(value, 0.1, 2):
        return "esa es solo la brecha del intervalo de 0,1; promedia con la del intervalo de 0,8."
    if near(value, 15, 0):
        return "exprésalo como fracción (entre 0 y 1), no como porcentaje."
    return "no es correcto: el intervalo de 0,8 observa 3/5 = 0,6 y el de 0,1 observa 1/5 = 0,2."


@exercise(
    "11.licencia",
    hint="busca «SA» (share alike, compartir igual) en la columna de licencias.",
    worked_step="CC0 no impone condiciones y CC BY solo pide atribución; la única licencia con "
                "«SA» de la tabla es CC BY-SA.",
    solution="fsdd",
    explanation="FSDD (Free Spoken Digit Dataset) tiene licencia CC BY-SA: lo que derives y "
                "redistribuyas debe llevar la misma licencia.",
)
def share_alike(answer: Any) -> str | None:
    """The course dataset(s) whose manifest license is CC BY-SA (share alike)."""
    from course_utils.data import list_datasets, load_manifest

    if not isinstance(answer, str):
        raise Wrong('escribe el nombre del conjunto como texto, por ejemplo "cifar10".')
    licenses = {name: load_manifest(name).license for name in list_datasets()}
    name = answer.strip().lower()
    if name not in licenses:
        return f"no hay un conjunto llamado {answer!r}; los del curso son {sorted(licenses)}."
    if "SA" in licenses[name].upper().replace("-", " ").split():
        return None
    license_name = licenses[name]
    if "CC0" in license_name.upper():
        return f"{name} es {license_name}: no impone ninguna condición, tampoco compartir igual."
    return f"{name} tiene licencia {license_name}, que no exige compartir igual (busca «SA»)."
