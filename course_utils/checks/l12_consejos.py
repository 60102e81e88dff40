"""Checkers for lesson 12 (consejos de entrenamiento)."""

from __future__ import annotations

import math
from typing import Any

from course_utils.exercises import Code, Wrong, as_number, exercise

BASE_BATCH = 128
BASE_RATE = 1e-3
N_TRAIN = 6400
EPOCHS = 20
PEAK = 1e-3
WARMUP = 100
TOTAL = 1000


@exercise(
    "12.tasa_lote",
    hint="con la regla de la raíz cuadrada, si el lote se multiplica por k, la tasa se "
         "multiplica por √k.",
    worked_step="el lote pasa de 128 a 512: k = 4, así que la tasa se multiplica por √4 = ...",
    solution=2e-3,
    explanation="512 / 128 = 4 y √4 = 2: con Adam, la regla de la raíz cuadrada lleva la tasa "
                "de 1e-3 a 2e-3. La regla lineal (× 4) es la de SGD con calentamiento.",
)
def scaled_rate(answer: Any) -> str | None:
    """Square-root scaling (Adam): 1e-3 at batch 128 -> 2e-3 at batch 512."""
    value = as_number(answer, example="1e-3")
    k = 512 / BASE_BATCH
    if math.isclose(value, BASE_RATE * math.sqrt(k), rel_tol=1e-6):
        return None
    if math.isclose(value, BASE_RATE * k, rel_tol=1e-6):
        return ("esa es la regla lineal (× 4), pensada para SGD con calentamiento; aquí se pide "
                "la regla de la raíz cuadrada, la habitual con Adam.")
    if value < BASE_RATE:
        return "con lotes más grandes hay menos pasos y menos ruidosos: la tasa sube, no baja."
    if math.isclose(value, BASE_RATE, rel_tol=1e-6):
        return "esa es la tasa sin escalar (la configuración lote_grande_sin_escalar)."
    return f"no es correcto: el lote pasa de {BASE_BATCH} a 512; multiplica la tasa por la raíz de esa razón."


@exercise(
    "12.pasos",
    hint="pasos por época = ceil(clips / lote); multiplícalo por las épocas.",
    worked_step="con lotes de 512: 6400 / 512 = 12,5, así que hay 13 pasos por época (el último "
                "lote tiene 256 clips); ahora multiplica por 20 épocas.",
    solution={32: 4000, 128: 1000, 512: 260},
    explanation="Pasos por época = ceil(6400 / lote): 200, 50 y 13 (el último lote incompleto "
                "también es un paso); por 20 épocas: 4000, 1000 y 260.",
)
def total_steps(answer: Any) -> str | None:
    """ceil(6400 / b) * 20 for b = 32, 128, 512: 4000, 1000, 260."""
    if not isinstance(answer, dict):
        raise Wrong("responde con un diccionario {32: ..., 128: ..., 512: ...}.")
    if set(answer) != {32, 128, 512}:
        return f"el diccionario debe tener exactamente las claves 32, 128 y 512; tiene {sorted(answer, key=str)}."
    for batch in (32, 128, 512):
        value = as_number(answer[batch], example="1000")
        expected = math.ceil(N_TRAIN / batch) * EPOCHS
        if value == expected:
            continue
        if value == N_TRAIN // batch * EPOCHS:
            return (f"con lotes de {batch}: {N_TRAIN} / {batch} no es exacto, y el último lote "
                    "incompleto también es un paso (redondea hacia arriba).")
        if value == math.ceil(N_TRAIN / batch):
            return f"con lotes de {batch}: esos son los pasos de una época; el presupuesto es de {EPOCHS}."
        if math.isclose(value, N_TRAIN / batch * EPOCHS):
            return f"con lotes de {batch}: el número de pasos es entero; redondea cada época hacia arriba."
        return f"con lotes de {batch} no es correcto: ceil({N_TRAIN} / {batch}) pasos por época × {EPOCHS} épocas."
    return None


def _reference(step: float) -> float:
    if step < WARMUP:
        return PEAK * step / WARMUP
    fraction = min(1.0, (step - WARMUP) / (TOTAL - WARMUP))
    return 0.5 * PEAK * (1 + math.cos(math.pi * fraction))


def tasa(paso):
    if paso < 100:
        return 1e-3 * paso / 100
    f = (paso - 100) / (1000 - 100)
    return 0.5 * 1e-3 * (1 + math.cos(math.pi * f))


@exercise(
    "12.coseno",
    hint="dos tramos: si paso < 100, sube en línea recta desde 0; si no, "
         "0.5 · máx · (1 + cos(π · fracción)).",
    worked_step="en el calentamiento la tasa es 1e-3 · paso / 100; después, con "
                "f = (paso - 100) / 900, vale 0.5 · 1e-3 · (1 + math.cos(math.pi * f)).",
    solution=tasa,
    explanation="Dos tramos: una recta de 0 a 1e-3 en los primeros 100 pasos y, desde ahí, medio "
                "ciclo de coseno que baja de 1e-3 a 0 en los 900 pasos restantes.",
)
def cosine_with_warmup(answer: Any) -> str | None:
    """A function step -> rate: linear warm-up over 100 steps, cosine to 0 at step 1000."""
    if not callable(answer):
        raise Wrong("entrega una función (por ejemplo `def tasa(paso): ...`), no un valor.")
    probes = [0, 1, 50, 99, 100, 101, 325, 550, 775, 900, 999, 1000]
    try:
        got = {s: answer(s) for s in probes}
    except Exception as exc:  # the student's function failed
        return f"tu función falló ({type(exc).__name__}: {exc})."
    if any(v is None for v in got.values()):
        return "tu función no devuelve nada en algún paso: agrega `return ...` en cada tramo."
    got = {s: as_number(v) for s, v in got.items()}
    if all(math.isclose(got[s], _reference(s), rel_tol=1e-6, abs_tol=1e-12) for s in probes):
        return None
    if math.isclose(got[0], PEAK, rel_tol=1e-6):
        return "en el paso 0 la tasa debe ser 0: falta el calentamiento lineal."
    if not all(math.isclose(got[s], _reference(s), rel_tol=1e-6, abs_tol=1e-12) for s in (0, 1, 50, 99)):
        return f"el calentamiento no es correcto: en el paso 50 la tasa debería ser {_reference(50):.2e}."
    decays_over_total = 0.5 * PEAK * (1 + math.cos(math.pi * 550 / TOTAL))
    if math.isclose(got[550], decays_over_total, rel_tol=1e-6):
        return ("el coseno debe recorrer solo los pasos después del calentamiento: "
                "fracción = (paso - 100) / (1000 - 100).")
    if not math.isclose(got[100], PEAK, rel_tol=1e-6):
        return f"al terminar el calentamiento (paso 100) la tasa debe valer el máximo, {PEAK}."
    if not math.isclose(got[1000], 0.0, abs_tol=1e-12):
        return "en el paso 1000 la tasa debe llegar a 0."
    return f"la parte coseno no es correcta: en el paso 550 debería valer {_reference(550):.2e}."


def _validation_runs(value: Any, what: str) -> tuple[float, list[int] | None]:
    """Mean validation accuracy (and seeds) of run_experiments rows, or a plain number."""
    columns = getattr(value, "columns", None)
    if columns is not None:
        if "validación" not in columns or len(value) == 0:
            raise Wrong(f"«{what}» debe tener las filas de run_experiments, con la columna "
                        "'validación'.")
        seeds = sorted(int(s) for s in value["semilla"]) if "semilla" in columns else None
        return float(value["validación"].mean()), seeds
    number = as_number(value, example="0.85")
    if not 0 <= number <= 1:
        raise Wrong(f"«{what}» debe ser una exactitud entre 0 y 1; recibí {number}.")
    return number, None


@exercise(
    "12.mejora",
    hint="cambia una o varias cosas de la configuración con variant(base, 'mia', ...) y entrénala "
         "con run_experiments([mi_config], build, data, epochs=EPOCHS, seeds=SEEDS).",
    worked_step="mira la exactitud de entrenamiento de la base: si es baja, el modelo no terminó de "
                "aprender con EPOCHS épocas. Entrenar más (epochs=3 * EPOCHS) o dar más pasos con "
                "lotes más chicos son cambios de entrenamiento válidos; compara en validación.",
    solution=Code(
        "mi_config = variant(base, 'mia')\n"
        "mis_corridas = run_experiments([mi_config], build, data, epochs=3 * EPOCHS, seeds=SEEDS)\n"
        "{'base': runs[runs['configuración'] == 'base'], 'mia': mis_corridas}"
    ),
    explanation="La base queda corta de entrenamiento (su exactitud de entrenamiento es baja): la "
                "misma configuración, con las mismas semillas, entrenada el triple de épocas. Se "
                "compara la exactitud media de validación, nunca la de prueba. El costo es el triple "
                "de tiempo: un cambio que mejora solo porque entrena más debe decirse así al "
                "compararlo. Con más semillas, mira también la prueba de Welch de la tabla.",
)
def beat_baseline(answer: Any) -> str | None:
    """{"base": rows or number, "mia": rows or number}: mean validation accuracy, strictly higher."""
    if not isinstance(answer, dict) or set(answer) != {"base", "mia"}:
        raise Wrong('responde con un diccionario {"base": ..., "mia": mis_corridas}.')
    base, base_seeds = _validation_runs(answer["base"], "base")
    mine, my_seeds = _validation_runs(answer["mia"], "mia")
    if base_seeds is not None and my_seeds is not None and base_seeds != my_seeds:
        return (f"la base usó las semillas {base_seeds} y tu variante {my_seeds}: entrena con "
                "las mismas (seeds=SEEDS) para comparar en igualdad de condiciones.")
    figures = f"validación media: base {base:.3f} · tu variante {mine:.3f}"
    if mine > base and not math.isclose(mine, base, abs_tol=1e-9):
        print(f"   {figures}")
        return None
    if math.isclose(mine, base, abs_tol=1e-9):
        return f"{figures}: empate. Prueba un cambio mayor."
    return f"{figures}: tu variante no supera a la base todavía; prueba otro cambio."
