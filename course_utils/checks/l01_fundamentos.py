"""Checkers for lesson 01 (fundamentos del audio)."""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.exercises import Wrong, as_number, exercise, near

SR = 8000
TONE_HZ = 6000
N_FFT = 512
HOP = 128
AMPLITUDE_RATIO = 0.5


@exercise(
    "01.alias",
    hint="lo que supera Nyquist (sr/2) no desaparece: se refleja por debajo de Nyquist.",
    worked_step=("Nyquist es 8000 / 2 = 4000 Hz. Un tono de f Hz con f entre sr/2 y sr tiene las "
                 "mismas muestras que uno de |sr − f| Hz: reemplaza sr = 8000 y f = 6000."),
    solution=abs(SR - TONE_HZ),
    explanation=("6000 Hz supera Nyquist (4000 Hz), así que se pliega a |8000 − 6000| = 2000 Hz: "
                 "las muestras de los dos tonos coinciden."),
)
def alias_frequency(answer: Any) -> str | None:
    """A 6000 Hz tone sampled at 8000 Hz folds back to 2000 Hz."""
    value = as_number(answer, example="1234")
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


@exercise(
    "01.frames",
    hint=("con center=True la señal se rellena en ambos extremos antes de cortarla: cuenta los "
          "saltos de hop_length que caben y revisa si queda un frame más."),
    worked_step=("1 s a 8000 Hz son 8000 muestras; la sección 4 da la cuenta de frames con "
                 "center=True: 1 + muestras // hop_length."),
    solution=1 + SR // HOP,
    explanation="Con center=True hay 1 + 8000 // 128 = 1 + 62 = 63 frames.",
)
def stft_frames(answer: Any) -> str | None:
    """1 s at 8 kHz with hop 128 and center=True has 1 + 8000 // 128 = 63 frames."""
    value = as_number(answer, example="10")
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


@exercise(
    "01.resolucion",
    hint="la FFT de n_fft muestras reparte la frecuencia de muestreo en n_fft coeficientes equiespaciados.",
    worked_step=("el coeficiente k está en k · sr / n_fft Hz (sección 3): la distancia entre k y "
                 "k + 1 es sr / n_fft, con sr = 8000 y n_fft = 512. Redondea a dos decimales."),
    solution=round(SR / N_FFT, 2),
    explanation=("Los coeficientes de la FFT están en k · sr / n_fft Hz, así que dos consecutivos "
                 "distan 8000 / 512 = 15,625 Hz (15,62 o 15,63 con dos decimales)."),
)
def frequency_resolution(answer: Any) -> str | None:
    """A 512-point FFT at 8 kHz has bins 8000 / 512 = 15.625 Hz apart (asked with two decimals)."""
    value = as_number(answer, example="12.34")
    expected = SR / N_FFT
    if near(value, expected, 2):  # 15.62, 15.625 and 15.63 are all 15.625 to two decimals
        return None
    if near(value, (SR / 2) / (N_FFT // 2 + 1), 2):
        return ("dividiste Nyquist (4000 Hz) por los n_fft/2 + 1 = 257 coeficientes de salida, "
                "pero esos 257 coeficientes van de 0 Hz a 4000 Hz, ambos incluidos: entre ellos hay "
                "256 intervalos, no 257. La separación es sr / n_fft.")
    if near(value, SR / (N_FFT // 2), 2):
        return ("dividiste sr por n_fft/2; la FFT reparte sr (no sr/2) entre n_fft coeficientes, "
                "así que la separación es sr / n_fft.")
    if near(value, N_FFT / SR, 3):
        return "esa es la duración de la ventana en segundos (n_fft / sr); invierte la cuenta."
    if any(round(value, d) == value and near(value, expected, d) for d in (0, 1)):
        return "vas bien, pero el enunciado pide el valor con dos decimales: escríbelo con dos decimales."
    return "no es correcto: divide la frecuencia de muestreo por el tamaño de la FFT."


def a_db(a):
    """Nivel en decibelios de una razón de amplitudes a (referencia 1)."""
    return 20 * np.log10(a)


@exercise(
    "01.db",
    hint=("los decibelios usan un logaritmo en base 10, y la potencia va con el cuadrado de la "
          "amplitud: repasa la sección «Amplitud y decibelios»."),
    worked_step=("con la referencia en 1 y la potencia P = a², el nivel es 10 · log10(P) = "
                 "10 · log10(a²); usa log10(a²) = 2 · log10(a) y escríbelo con np.log10."),
    solution=a_db,
    explanation=("Para amplitudes, dB = 20 · log10(a / a_ref); con a_ref = 1, 20 · log10(a). "
                 "La mitad de la amplitud da unos −6,02 dB."),
)
def amplitude_to_db(answer: Any) -> str | None:
    """A function that converts an amplitude ratio to decibels (20 log10)."""
    if not callable(answer):
        raise Wrong("entrega una función (por ejemplo `def a_db(a): ...`), no un valor.")
    ratios = np.array([1.0, 0.5, 2.0, 0.1, 10.0, 0.001])
    try:
        got = np.array([float(as_number(answer(r))) for r in ratios])
    except Wrong as exc:
        raise Wrong(f"tu función debe devolver un número: {exc}") from exc
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
