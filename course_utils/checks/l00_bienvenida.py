"""Checkers for lesson 00 (bienvenida y entorno)."""

from __future__ import annotations

from typing import Any

from course_utils.exercises import as_number, exercise

SAMPLE_RATE_HZ = 8000
DURATION_S = 0.75


@exercise(
    "00.muestras",
    hint="número de muestras = duración en segundos × frecuencia de muestreo en Hz.",
    worked_step="8 kHz son 8000 muestras por segundo; la grabación dura 0,75 s: 0,75 × 8000 = ...",
    solution=6000,
    explanation="0,75 s × 8000 muestras por segundo = 6000 muestras.",
)
def samples_in_recording(answer: Any) -> str | None:
    """A 0.75 s FSDD recording at 8 kHz has 6000 samples (int, float or NumPy number)."""
    value = as_number(answer, "1234")
    expected = DURATION_S * SAMPLE_RATE_HZ
    if abs(value - expected) < 1e-6:
        return None
    if abs(value - DURATION_S * SAMPLE_RATE_HZ / 1000) < 1e-6:
        return "usaste kilohercios (8) en vez de hercios (8000): multiplica por 8000."
    if abs(value - SAMPLE_RATE_HZ / DURATION_S) < 1e-3 or abs(value - DURATION_S / SAMPLE_RATE_HZ) < 1e-9:
        return "dividiste; hay que multiplicar la duración (s) por las muestras por segundo (Hz)."
    if abs(value - DURATION_S * 16000) < 1e-6:
        return "esa sería la cuenta a 16 kHz, pero FSDD está grabado a 8 kHz."
    return "no es correcto: piensa cuántas muestras se toman en cada segundo y cuántos segundos hay."
