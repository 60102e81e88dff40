"""Checkers for lesson 12 (consejos de entrenamiento)."""

from __future__ import annotations

import math
from typing import Any

from course_utils.exercises import Wrong, as_number, exercise

BASE_BATCH = 128
BASE_RATE = 1e-3
N_TRAIN = 6400
EPOCHS = 20
PEAK = 1e-3
WARMUP = 100
TOTAL = 1000




@exercise("12.tasa_lote", hint="si el lote se multiplica por k, la tasa también se multiplica por k.")
def scaled_rate(answer: Any) -> str | None:
    """Linear scaling: 1e-3 at batch 128 -> 4e-3 at batch 512."""
    value = as_number(answer)
    k = 512 / BASE_BATCH
    if math.isclose(value, BASE_RATE * k, rel_tol=1e-6):
        return None
    if math.isclose(value, BASE_RATE / k, rel_tol=1e-6):
        return "la dividiste; con lotes más grandes hay menos pasos, así que la tasa sube, no baja."
    if math.isclose(value, BASE_RATE * math.sqrt(k), rel_tol=1e-6):
        return "esa es la regla de la raíz cuadrada (otra heurística); aquí se pide la regla lineal."
    if math.isclose(value, BASE_RATE, rel_tol=1e-6):
        return "esa es la tasa sin escalar (la configuración lote512_sin_escalar)."
    return f"no es correcto: el lote pasa de {BASE_BATCH} a 512; multiplica la tasa por esa razón."


@exercise("12.pasos", hint="pasos por época = ceil(clips / lote); multiplícalo por las épocas.")
def total_steps(answer: Any) -> str | None:
    """ceil(6400 / b) * 20 for b = 32, 128, 512: 4000, 1000, 260."""
    if not isinstance(answer, dict):
        raise Wrong("responde con un diccionario {32: ..., 128: ..., 512: ...}.")
    if set(answer) != {32, 128, 512}:
        return f"el diccionario debe tener exactamente las claves 32, 128 y 512; tiene {sorted(answer, key=str)}."
    for batch in (32, 128, 512):
        value = as_number(answer[batch])
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


@exercise("12.coseno", hint="dos tramos: si paso < 100, sube en línea recta desde 0; si no, "
                            "0.5 · máx · (1 + cos(π · fracción)).")
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
