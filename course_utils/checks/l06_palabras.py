"""Checkers for lesson 06 (reconocimiento de palabras)."""

from __future__ import annotations

import math
from typing import Any

from course_utils.exercises import Code, Wrong, as_integer, best_validation, exercise

FLATTEN_INPUT = 16_000  # 1 s at 16 kHz through the 'same'-padded network
#: (filters, kernel) of the report's six blocks, as in the lesson's export cell.
BLOCKS = ((32, 100), (64, 4), (64, 4), (128, 4), (128, 4), (256, 4))
POOL = 4


def _lengths(n: int, padding: str) -> list[int]:
    out = []
    for _, kernel in BLOCKS:
        n = n - kernel + 1 if padding == "valid" else n
        n = max(n, 0) // POOL
        out.append(n)
    return out


@exercise(
    "06.flatten",
    hint="con relleno 'same' cada bloque solo divide la longitud por 4 (parte entera); al final "
         "multiplica por los 256 canales del último bloque.",
    worked_step="16.000 → 4.000 → 1.000 → 250 → 62 → ... (seis divisiones enteras por 4); "
                "después, posiciones × 256.",
    solution=768,
    explanation="Con relleno 'same' solo el pooling cambia la longitud: 16.000 → 4.000 → 1.000 → "
                "250 → 62 → 15 → 3 posiciones, y Flatten junta 3 × 256 canales = 768 números.",
)
def flatten_size(answer: Any) -> str | None:
    """16,000 samples: 4000, 1000, 250, 62, 15, 3 positions x 256 channels = 768."""
    value = as_integer(answer)
    lengths = _lengths(FLATTEN_INPUT, "same")
    channels = BLOCKS[-1][0]
    if value == lengths[-1] * channels:
        return None
    if value == lengths[-1]:
        return (f"{value} es la longitud final; Flatten junta todos los canales: multiplica por "
                f"{channels}.")
    if value == _lengths(FLATTEN_INPUT, "valid")[-1] * channels:
        return "esa cuenta es sin relleno (valid); aquí las convoluciones usan padding='same'."
    if value in (round(FLATTEN_INPUT / POOL ** len(BLOCKS)) * channels, 1024):
        return ("cuidado con el redondeo: cada MaxPool(4) se queda con la parte entera "
                "(250 / 4 = 62, no 62,5), bloque por bloque.")
    return "no es correcto: divide 16.000 por 4 seis veces (parte entera cada vez) y multiplica por 256."


@exercise(
    "06.parametros",
    hint="pesos de la convolución = canales de entrada × filtros × tamaño del filtro; la "
         "BatchNorm entrena γ y β por canal.",
    worked_step="la convolución tiene 1 × 32 × 100 = 3.200 pesos y ningún sesgo; falta sumar "
                "lo que entrena la BatchNorm en sus 32 canales.",
    solution=3264,
    explanation="Conv1d(1, 32, 100, bias=False) tiene 1 × 32 × 100 = 3.200 pesos; la BatchNorm "
                "entrena γ y β en cada uno de sus 32 canales (64). La media y la varianza móviles "
                "no se entrenan: 3.200 + 64 = 3.264.",
)
def first_block_parameters(answer: Any) -> str | None:
    """Conv1d(1, 32, 100, bias=False): 3,200 weights; BatchNorm(32): 64 trainable (γ, β)."""
    value = as_integer(answer)
    filters, kernel = BLOCKS[0]
    conv = 1 * filters * kernel
    if value == conv + 2 * filters:
        return None
    if value == conv + 4 * filters:
        return ("contaste también la media y la varianza móviles de la BatchNorm: existen, "
                "pero no se entrenan (se actualizan con promedios, no con el gradiente).")
    if value == conv + 3 * filters:
        return "la convolución del reporte no tiene sesgo (bias=False): la β de la BatchNorm lo reemplaza."
    if value == conv:
        return "esos son solo los pesos de la convolución; suma los parámetros entrenables de la BatchNorm."
    if value == conv + filters:
        return "sin sesgo en la convolución (bias=False); la BatchNorm entrena 2 números por canal."
    return f"no es correcto: la convolución tiene 1 × {filters} × {kernel} pesos; súmale γ y β de cada canal."


def hablante(ruta):
    return ruta.split("/")[-1].split("_nohash_")[0]


SPEAKER_CASES = {
    "0ab3b47d_nohash_1.wav": "0ab3b47d",
    "yes/0ab3b47d_nohash_1.wav": "0ab3b47d",
    "mini_speech_commands/no/c1d39ce8_nohash_12.wav": "c1d39ce8",
    "data/go_team/ffd2ba2f_nohash_0.wav": "ffd2ba2f",
}


@exercise(
    "06.hablante",
    hint="quédate con el nombre del archivo (lo que sigue a la última '/') y corta en '_nohash_'.",
    worked_step="'yes/0ab3b47d_nohash_1.wav'.split('/')[-1] da '0ab3b47d_nohash_1.wav'; "
                "¿qué método de las cadenas separa en '_nohash_'?",
    solution=hablante,
    explanation="El nombre del archivo es lo que sigue a la última '/'; el código de quien habla "
                "es lo que está antes de '_nohash_'. Path(ruta).name.split('_nohash_')[0] "
                "también sirve.",
)
def speaker_of(answer: Any) -> str | None:
    """A function: file path (a string) -> the part of the file name before ``_nohash_``."""
    if not callable(answer):
        raise Wrong("entrega una función (por ejemplo `def hablante(ruta): ...`), no un valor.")
    for given, expected in SPEAKER_CASES.items():
        try:
            got = answer(given)
        except Exception as exc:  # the student's function failed
            return f"tu función falló con {given!r} ({type(exc).__name__}: {exc})."
        if got is None:
            return "tu función no devuelve nada: agrega `return ...`."
        if str(got) != expected:
            where = " (incluye carpetas)" if "/" in given else ""
            return (f"con {given!r}{where} devolviste {got!r}; se esperaba {expected!r}. "
                    "Usa solo el nombre del archivo, sin carpetas.")
    return None


def validation_figure(value: Any, what: str) -> float:
    """Best validation accuracy of a History (EarlyStopping keeps those weights), or a number."""
    return best_validation(value, what, "val_accuracy",
                           "entrena con validation_data (la función train de la lección lo hace)")


@exercise(
    "06.mejora",
    hint="cambia algo de la red 1D (filtros con width, dropout, el primer filtro) o del "
         "entrenamiento (tasa, lote) y entrénala con train(..., waves, ...): misma partición, "
         "misma validación.",
    worked_step="por ejemplo: _, historial_mio, _ = train(lambda: build_waveform_cnn(len(kd.WORDS), "
                "n_samples=fmt.n_samples, width=2 * WIDTH_1D), waves, 'CNN 1D más ancha').",
    solution=Code(
        "_, historial_mio, _ = train(\n"
        "    lambda: build_waveform_cnn(len(kd.WORDS), n_samples=fmt.n_samples, width=2 * WIDTH_1D),\n"
        "    waves, 'CNN 1D con el doble de filtros')\n"
        "{'base': history_1d, 'mia': historial_mio}"
    ),
    explanation="Una red 1D con el doble de filtros en cada bloque, entrenada igual que la base "
                "(misma partición, mismo número máximo de épocas, parada temprana en validación). "
                "La comparación usa la mejor exactitud de validación de cada corrida; la prueba "
                "no se toca.",
)
def beat_baseline(answer: Any) -> str | None:
    """{"base": History or number, "mia": History or number}: validation accuracy, strictly higher."""
    if not isinstance(answer, dict) or set(answer) != {"base", "mia"}:
        raise Wrong('responde con un diccionario {"base": history_1d, "mia": tu historial}.')
    base = validation_figure(answer["base"], "base")
    mine = validation_figure(answer["mia"], "mia")
    figures = f"validación: base {base:.3f} · tu variante {mine:.3f}"
    if mine > base and not math.isclose(mine, base, abs_tol=1e-9):
        print(f"   {figures}")
        return None
    if math.isclose(mine, base, abs_tol=1e-9):
        return f"{figures}: empate. Prueba un cambio mayor o entrena con otra idea."
    return f"{figures}: tu variante no supera a la base todavía; prueba otro cambio."
