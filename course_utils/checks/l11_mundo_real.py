"""Checkers for lesson 11 (IA en el mundo real)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from course_utils.exercises import Wrong, exercise

DIRECTIONS = ("sube", "baja", "igual")


def _example() -> pd.DataFrame:
    return pd.DataFrame({
        "grupo": ["a", "a", "a", "a", "b", "b", "c", "c", "c"],
        "label": [1, 0, 1, 0, 1, 1, 0, 0, 1],
        "pred": [1, 0, 0, 0, 0, 0, 0, 1, 1],
    })


@exercise("11.tasas_de_error",
          hint="tabla.groupby('grupo') y, en cada grupo, (pred != label).mean().")
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
    if not isinstance(result, dict):
        raise Wrong("devuelve un diccionario {grupo: tasa de error}.")
    if set(result) != set(expected):
        return f"el diccionario debe tener una clave por grupo ({sorted(expected)}); tiene {sorted(map(str, result))}."
    got = {k: float(v) for k, v in result.items()}
    accuracy = {"a": 0.75, "b": 0.0, "c": 2 / 3}
    if all(np.isclose(got[k], accuracy[k]) for k in expected):
        return "calculaste la tasa de aciertos; la de error es la fracción con pred distinto de label."
    if not all(np.isclose(got[k], expected[k]) for k in expected):
        wrong = [k for k in expected if not np.isclose(got[k], expected[k])]
        return f"revisa los grupos {wrong}: divide los errores del grupo por las filas de ese grupo."
    return None


@exercise("11.umbral",
          hint="con un umbral más alto el modelo dice «mujer» menos veces.")
def threshold_effect(answer: Any) -> str | None:
    """Raising the threshold: more women predicted as men, fewer men predicted as women."""
    if not isinstance(answer, dict) or set(answer) != {"mujeres_como_hombres", "hombres_como_mujeres"}:
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


@exercise("11.ece", hint="por intervalo: |frecuencia observada − probabilidad media| × clips / total.")
def ece_example(answer: Any) -> str | None:
    """Bins 0.8 (observed 0.6) and 0.1 (observed 0.2), 5 clips each: (5*0.2 + 5*0.1) / 10 = 0.15."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Wrong("escribe un número, por ejemplo 0.3.")
    if abs(answer - 0.15) <= 1e-3:
        return None
    if abs(answer - 0.3) <= 1e-3:
        return "sumaste las dos diferencias sin ponderar: cada intervalo pesa por su fracción de clips (la mitad)."
    if abs(answer - 0.2) <= 1e-3:
        return "esa es solo la brecha del intervalo de 0,8; promedia con la del intervalo de 0,1."
    if abs(answer - 15) <= 0.1:
        return "exprésalo como fracción (entre 0 y 1), no como porcentaje."
    return "no es correcto: el intervalo de 0,8 observa 3/5 = 0,6 y el de 0,1 observa 1/5 = 0,2."


@exercise("11.licencia", hint="busca «SA» (share alike, compartir igual) en la columna de licencias.")
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
