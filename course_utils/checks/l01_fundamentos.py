"""Checkers for lesson 01 (fundamentos del audio)."""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.exercises import Wrong, as_number, exercise

SR = 8000
TONE_HZ = 6000
N_FFT = 512
HOP = 128
AMPLITUDE_RATIO = 0.5




@exercise("01.alias", hint="lo que supera Nyquist (sr/2) se refleja: busca el tono por debajo de 4000 Hz con las mismas muestras.")
def alias_frequency(answer: Any) -> str | None:
    """A 6000 Hz tone sampled at 8000 Hz folds back to 2000 Hz."""
    value = as_number(answer)
    if abs(value - abs(SR - TONE_HZ)) < 1:
        return None
    if abs(value - TONE_HZ) < 1:
        return ("6000 Hz es la frecuencia original, pero supera Nyquist (4000 Hz): "
                "no puede representarse y se «pliega» por debajo de Nyquist.")
    if abs(value - SR / 2) < 1:
        return "4000 Hz es la frecuencia de Nyquist (el límite), no la del alias."
    if abs(value - (SR + TONE_HZ)) < 1:
        return "sumaste; el alias está en la diferencia entre la frecuencia de muestreo y la del tono."
    return "no es correcto: dibuja el espectro y refleja 6000 Hz respecto de Nyquist (4000 Hz)."


@exercise("01.frames", hint="con center=True, librosa agrega un frame: 1 + muestras // hop_length.")
def stft_frames(answer: Any) -> str | None:
    """1 s at 8 kHz with hop 128 and center=True has 1 + 8000 // 128 = 63 frames."""
    value = as_number(answer)
    expected = 1 + SR // HOP
    if value == expected:
        return None
    if value == SR // HOP:
        return "casi: con center=True la señal se rellena en ambos extremos y hay un frame más."
    if abs(value - SR / HOP) < 1e-9:
        return "el número de frames es entero: usa división entera (//) y suma 1 (center=True)."
    if value == 1 + (SR - N_FFT) // HOP:
        return "esa es la cuenta con center=False; librosa usa center=True por defecto."
    return "no es correcto: cuenta cuántos saltos de 128 muestras caben en 8000 muestras."


@exercise("01.resolucion", hint="cada bin de la FFT mide sr / n_fft hercios.")
def frequency_resolution(answer: Any) -> str | None:
    """A 512-point FFT at 8 kHz has bins 8000 / 512 = 15.625 Hz apart."""
    value = as_number(answer)
    expected = SR / N_FFT
    if abs(value - expected) < 1e-3:
        return None
    if abs(value - SR / (N_FFT // 2)) < 1e-3 or abs(value - (SR / 2) / (N_FFT // 2 + 1)) < 0.1:
        return ("usaste la cantidad de bins de salida (n_fft/2 + 1); la separación es "
                "sr / n_fft, porque la FFT reparte sr entre n_fft frecuencias.")
    if abs(value - N_FFT / SR) < 1e-6:
        return "esa es la duración de la ventana en segundos (n_fft / sr); invierte la cuenta."
    return "no es correcto: divide la frecuencia de muestreo por el tamaño de la FFT."


@exercise("01.db", hint="para amplitudes, dB = 20 · log10(a / a_ref).")
def amplitude_to_db(answer: Any) -> str | None:
    """A function that converts an amplitude ratio to decibels (20 log10)."""
    if not callable(answer):
        raise Wrong("entrega una función (por ejemplo `def a_db(a): ...`), no un valor.")
    ratios = np.array([1.0, 0.5, 2.0, 0.1, 10.0, 0.001])
    try:
        got = np.array([float(answer(r)) for r in ratios])
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló con a=0.5 u otro valor ({type(exc).__name__}: {exc}).") from exc
    expected = 20 * np.log10(ratios)
    if np.allclose(got, expected, atol=1e-6):
        return None
    if np.allclose(got, 10 * np.log10(ratios), atol=1e-6):
        return ("usaste 10 · log10, que vale para potencias; la amplitud va al cuadrado en la "
                "potencia, así que para amplitudes es 20 · log10 (la mitad de amplitud ≈ −6 dB).")
    if np.allclose(got, 20 * np.log(ratios), atol=1e-6):
        return "usaste el logaritmo natural (np.log); los decibelios usan log10."
    if np.allclose(got, -expected, atol=1e-6):
        return "el signo está invertido: una amplitud menor que la referencia da dB negativos."
    return f"no es correcto: para a=0.5 esperaba ≈ {expected[1]:.2f} dB y tu función dio {got[1]:.4g}."
