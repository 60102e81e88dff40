"""Checkers for lesson 06 (reconocimiento de palabras)."""

from __future__ import annotations

from typing import Any

from course_utils.exercises import Wrong, as_integer, exercise
from course_utils.keyword_models import SEED_BLOCKS, conv_lengths

FLATTEN_INPUT = 16_000  # 1 s at 16 kHz through the 'same'-padded network




@exercise("06.flatten", hint="con relleno 'same' cada bloque solo divide la longitud por 4 "
                             "(parte entera); al final multiplica por los 256 canales.")
def flatten_size(answer: Any) -> str | None:
    """16,000 samples: 4000, 1000, 250, 62, 15, 3 positions x 256 channels = 768."""
    value = as_integer(answer)
    lengths = conv_lengths(FLATTEN_INPUT, padding="same")
    channels = SEED_BLOCKS[-1][0]
    expected = lengths[-1] * channels
    if value == expected:
        return None
    if value == lengths[-1]:
        return (f"{value} es la longitud final; Flatten junta todos los canales: multiplica por "
                f"{channels}.")
    if value == conv_lengths(FLATTEN_INPUT, padding="valid")[-1] * channels:
        return "esa cuenta es sin relleno (valid); aquí las convoluciones usan padding='same'."
    if value == round(FLATTEN_INPUT / 4 ** len(SEED_BLOCKS)) * channels or value == 1024:
        return ("cuidado con el redondeo: cada MaxPool(4) se queda con la parte entera "
                "(250 / 4 = 62, no 62,5), bloque por bloque.")
    return "no es correcto: divide 16.000 por 4 seis veces (parte entera cada vez) y multiplica por 256."


@exercise("06.parametros", hint="pesos de la convolución = canales de entrada x filtros x tamaño "
                                "del filtro; la BatchNorm entrena γ y β por canal.")
def first_block_parameters(answer: Any) -> str | None:
    """Conv1d(1, 32, 100, bias=False): 3,200 weights; BatchNorm(32): 64 trainable (γ, β)."""
    value = as_integer(answer)
    filters, kernel = SEED_BLOCKS[0]
    conv = 1 * filters * kernel
    expected = conv + 2 * filters
    if value == expected:
        return None
    if value == conv + 4 * filters:
        return ("contaste también la media y la varianza móviles de la BatchNorm: existen, "
                "pero no se entrenan (se actualizan con promedios, no con el gradiente).")
    if value == conv + filters + 2 * filters:
        return "la convolución del reporte no tiene sesgo (bias=False): la β de la BatchNorm lo reemplaza."
    if value == conv:
        return "esos son solo los pesos de la convolución; suma los parámetros entrenables de la BatchNorm."
    if value == conv + filters:
        return "sin sesgo en la convolución (bias=False); la BatchNorm entrena 2 números por canal."
    return f"no es correcto: la convolución tiene 1 × {filters} × {kernel} pesos; súmale γ y β de cada canal."


@exercise("06.hablante", hint="busca '_nohash_' en el nombre del archivo (sin las carpetas) y "
                              "quédate con lo que está antes.")
def speaker_of(answer: Any) -> str | None:
    """A function path -> the part of the file name before ``_nohash_``."""
    if not callable(answer):
        raise Wrong("entrega una función (por ejemplo `def hablante(ruta): ...`), no un valor.")
    from pathlib import Path

    cases = {
        "0ab3b47d_nohash_1.wav": "0ab3b47d",
        "yes/0ab3b47d_nohash_1.wav": "0ab3b47d",
        "mini_speech_commands/no/c1d39ce8_nohash_12.wav": "c1d39ce8",
        "data/go_team/ffd2ba2f_nohash_0.wav": "ffd2ba2f",
    }
    for given, expected in cases.items():
        for variant in (given, Path(given)):
            try:
                got = answer(variant)
            except Exception as exc:  # the student's function failed
                return (f"tu función falló con {str(variant)!r} "
                        f"({type(exc).__name__}: {exc}). ¿Aceptas también objetos Path?")
            if got is None:
                return "tu función no devuelve nada: agrega `return ...`."
            if str(got) != expected:
                where = " (incluye carpetas)" if "/" in given else ""
                return (f"con {str(variant)!r}{where} devolviste {got!r}; se esperaba "
                        f"{expected!r}. Usa solo el nombre del archivo, sin carpetas.")
    return None
