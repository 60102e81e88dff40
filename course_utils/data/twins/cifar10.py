"""Twin of CIFAR-10 (python version): ``cifar-10-batches-py`` with the real pickles.

``data_batch_1..5`` and ``test_batch`` are dicts with bytes keys (``b"data"``: uint8 N x 3072,
R, G and B planes of 32x32 row-major; ``b"labels"``; ``b"filenames"``; ``b"batch_label"``) and
``batches.meta`` has ``b"label_names"`` as bytes, so the loading code for the real files
(``pickle.load(f, encoding="bytes")``) works unchanged. Each class is a simple drawing with its
own shape and colour palette on a typical background (sky, road, grass, water...), at a random
position, scale and orientation, with noise. Palettes overlap between classes, so colour alone is
not enough.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ._common import item_rng, resolve_params

ROOT = "cifar-10-batches-py"
LABEL_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
DEFAULTS = {"per_batch": 100}

SKY = [(135, 185, 235), (170, 200, 225), (110, 150, 200)]
GRASS = [(70, 120, 50), (100, 140, 60), (60, 90, 40)]
ROAD = [(110, 110, 110), (140, 135, 130), (90, 90, 95)]
INDOOR = [(200, 180, 150), (160, 130, 100), (220, 210, 190)]
SEA = [(40, 80, 150), (30, 60, 120)]
VEHICLE = [(200, 30, 30), (30, 60, 180), (230, 200, 40), (235, 235, 235), (30, 30, 30)]
FUR = [(150, 100, 50), (90, 60, 30), (200, 160, 110), (40, 35, 30), (225, 220, 210)]

Y, X = np.mgrid[0:32, 0:32].astype(float)
Shape = list[tuple[np.ndarray, tuple[int, int, int] | None]]


def _ellipse(u, v, u0, v0, a, b):
    return ((u - u0) / a) ** 2 + ((v - v0) / b) ** 2 < 1


def _rect(u, v, u0, u1, v0, v1):
    return (u >= u0) & (u <= u1) & (v >= v0) & (v <= v1)


def _segment(u, v, p, q, width):
    (pu, pv), (qu, qv) = p, q
    du, dv = qu - pu, qv - pv
    t = np.clip(((u - pu) * du + (v - pv) * dv) / (du * du + dv * dv), 0, 1)
    return (u - pu - t * du) ** 2 + (v - pv - t * dv) ** 2 < width**2


def _airplane(u, v, c, rng) -> Shape:
    return [(_ellipse(u, v, 0, 0, 12, 2.2) | _rect(u, v, -2.5, 2.5, -10, 10)
             | _rect(u, v, -12, -9, -4, 4), c)]


def _automobile(u, v, c, rng) -> Shape:
    wheels = _ellipse(u, v, -6.5, 3.5, 3, 3) | _ellipse(u, v, 6.5, 3.5, 3, 3)
    return [(_rect(u, v, -11, 11, -4, 3) | _rect(u, v, -6, 5, -8, -4), c),
            (_rect(u, v, -5, 4, -7, -5), (170, 200, 220)), (wheels, (20, 20, 20))]


def _bird(u, v, c, rng) -> Shape:
    beak = _segment(u, v, (8, -4), (11, -3.5), 1.0)
    return [(_ellipse(u, v, 0, 1, 6, 4) | _ellipse(u, v, 5.5, -3.5, 3, 3) | _segment(u, v, (-5, 1), (-10, -1), 1.5), c),
            (beak, (240, 170, 30)), (_ellipse(u, v, 6.5, -4.5, 0.8, 0.8), (10, 10, 10))]


def _cat(u, v, c, rng) -> Shape:
    ears = (_segment(u, v, (-6, -4), (-5, -12), 2.0) | _segment(u, v, (6, -4), (5, -12), 2.0))
    eyes = _ellipse(u, v, -3, -1, 1.3, 1.8) | _ellipse(u, v, 3, -1, 1.3, 1.8)
    return [(_ellipse(u, v, 0, 0, 8, 7.5) | ears, c), (eyes, (60, 200, 60))]


def _deer(u, v, c, rng) -> Shape:
    legs = (_segment(u, v, (-7, 0), (-7, 10), 0.9) | _segment(u, v, (-4, 0), (-4, 10), 0.9)
            | _segment(u, v, (4, 0), (4, 10), 0.9) | _segment(u, v, (7, 0), (7, 10), 0.9))
    neck = _segment(u, v, (7, -2), (10, -9), 1.6) | _ellipse(u, v, 11, -9.5, 2.5, 1.8)
    antlers = _segment(u, v, (10, -11), (8, -15), 0.6) | _segment(u, v, (11, -11), (13, -15), 0.6)
    return [(_ellipse(u, v, 0, -2, 9, 4) | legs | neck, c), (antlers, (70, 50, 30))]


def _dog(u, v, c, rng) -> Shape:
    ears = _ellipse(u, v, -8, 1, 2.5, 5.5) | _ellipse(u, v, 8, 1, 2.5, 5.5)
    dark = tuple(int(x * 0.5) for x in c)
    return [(_ellipse(u, v, 0, -1, 7, 7), c), (ears, dark),
            (_ellipse(u, v, 0, 4, 4, 3), (230, 215, 195)), (_ellipse(u, v, 0, 2.5, 1.5, 1), (15, 10, 10))]


def _frog(u, v, c, rng) -> Shape:
    eyes = _ellipse(u, v, -5, -5, 2.8, 2.8) | _ellipse(u, v, 5, -5, 2.8, 2.8)
    pupils = _ellipse(u, v, -5, -5.5, 1.1, 1.1) | _ellipse(u, v, 5, -5.5, 1.1, 1.1)
    return [(_ellipse(u, v, 0, 1, 12, 6) | eyes, c), (pupils, (10, 10, 10))]


def _horse(u, v, c, rng) -> Shape:
    legs = (_segment(u, v, (-7, 1), (-7, 12), 1.1) | _segment(u, v, (-3, 1), (-3, 12), 1.1)
            | _segment(u, v, (4, 1), (4, 12), 1.1) | _segment(u, v, (8, 1), (8, 12), 1.1))
    neck = _segment(u, v, (8, -2), (11, -11), 2.4) | _ellipse(u, v, 13, -11, 3.5, 2)
    return [(_ellipse(u, v, 0, -2, 10, 4.5) | legs | neck, c)]


def _ship(u, v, c, rng) -> Shape:
    hull = _rect(u, v, -13, 13, 0, 5) & (np.abs(u) < 13 - (v - 0) * 0.8)
    return [(hull, c), (_rect(u, v, -5, 5, -5, 0), (230, 230, 230)), (_rect(u, v, -1, 1, -12, -5), (60, 60, 60))]


def _truck(u, v, c, rng) -> Shape:
    wheels = (_ellipse(u, v, -8, 5, 2.8, 2.8) | _ellipse(u, v, 0, 5, 2.8, 2.8) | _ellipse(u, v, 9, 5, 2.8, 2.8))
    return [(_rect(u, v, -13, 5, -10, 4), c), (_rect(u, v, 5, 13, -4, 4), (200, 200, 210)),
            (_rect(u, v, 7, 12, -3, 0), (120, 170, 210)), (wheels, (20, 20, 20))]


# class -> (draw function, backgrounds (top, bottom), object colours, typical scale)
CLASSES: list[tuple[Callable, list, list, float]] = [
    (_airplane, [(SKY, SKY)], [(220, 220, 225), (170, 170, 180), (240, 240, 240)], 1.0),
    (_automobile, [(INDOOR, ROAD), (GRASS, ROAD), (SKY, ROAD)], VEHICLE, 1.0),
    (_bird, [(SKY, SKY), (GRASS, GRASS)], [(140, 90, 50), (200, 40, 30), (50, 80, 180), (230, 200, 40)], 0.9),
    (_cat, [(INDOOR, INDOOR)], [(220, 130, 50), (130, 130, 130), (40, 35, 30), (230, 225, 215)], 1.0),
    (_deer, [(GRASS, GRASS), (SKY, GRASS)], [(160, 110, 60), (190, 150, 100), (120, 80, 45)], 0.85),
    (_dog, [(GRASS, GRASS), (INDOOR, INDOOR)], FUR, 1.0),
    (_frog, [(GRASS, GRASS), ([(90, 70, 40)], [(90, 70, 40)])], [(80, 160, 60), (120, 140, 50), (100, 80, 40)], 1.0),
    (_horse, [(SKY, GRASS), (GRASS, GRASS)], FUR, 0.8),
    (_ship, [(SKY, SEA)], [(230, 230, 230), (180, 40, 40), (90, 90, 100)], 1.0),
    (_truck, [(SKY, ROAD), (ROAD, ROAD)], VEHICLE, 0.95),
]


def _jitter(rng: np.random.Generator, colour, amount: float = 20) -> np.ndarray:
    return np.clip(np.asarray(colour, dtype=float) + rng.normal(0, amount, 3), 0, 255)


def draw(label: int, rng: np.random.Generator) -> np.ndarray:
    """One 32x32x3 uint8 image of class ``label``."""
    func, backgrounds, colours, base_scale = CLASSES[label]
    top_palette, bottom_palette = backgrounds[int(rng.integers(len(backgrounds)))]
    top = _jitter(rng, top_palette[int(rng.integers(len(top_palette)))])
    bottom = _jitter(rng, bottom_palette[int(rng.integers(len(bottom_palette)))])
    horizon = rng.uniform(12, 22)
    w = np.clip((Y - horizon) / 3 + 0.5, 0, 1)[..., None]
    img = top * (1 - w) + bottom * w
    scale = base_scale * rng.uniform(0.75, 1.2)
    cx, cy = 16 + rng.uniform(-4, 4), 16 + rng.uniform(-3, 3)
    flip = -1 if rng.random() < 0.5 else 1
    u, v = flip * (X - cx) / scale, (Y - cy) / scale
    colour = _jitter(rng, colours[int(rng.integers(len(colours)))], 25)
    for mask, part_colour in func(u, v, colour, rng):
        tint = colour if part_colour is None or part_colour is colour else _jitter(rng, part_colour, 12)
        shade = 1 - 0.25 * np.clip((v + 8) / 16, 0, 1)[..., None]  # light from above
        img = np.where(mask[..., None], tint * shade, img)
    img = img * rng.uniform(0.7, 1.2) + rng.normal(0, rng.uniform(4, 14), img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def _batch(name: str, batch_label: str, n: int, seed: int) -> dict:
    rng = item_rng(seed, "cifar-labels", name)
    labels = rng.permutation(np.arange(n) % len(LABEL_NAMES))
    images = [draw(int(y), item_rng(seed, "cifar", name, i)) for i, y in enumerate(labels)]
    data = np.stack([im.transpose(2, 0, 1).reshape(-1) for im in images]).astype(np.uint8)
    return {
        b"batch_label": batch_label.encode(),
        b"labels": [int(y) for y in labels],
        b"data": data,
        b"filenames": [f"synthetic_{LABEL_NAMES[y]}_s_{i:06d}.png".encode() for i, y in enumerate(labels)],
    }


def _dump(obj: dict, path: Path) -> None:
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=2)


def build(dataset_dir: Path, params: dict, seed: int) -> None:
    """Write the five training batches, the test batch and ``batches.meta``."""
    params = resolve_params("cifar10", params, DEFAULTS)
    n = int(params["per_batch"])
    root = Path(dataset_dir) / ROOT
    root.mkdir(parents=True, exist_ok=True)
    for k in range(1, 6):
        _dump(_batch(f"data_batch_{k}", f"training batch {k} of 5", n, seed), root / f"data_batch_{k}")
    _dump(_batch("test_batch", "testing batch 1 of 1", n, seed), root / "test_batch")
    _dump({b"num_cases_per_batch": n, b"label_names": [s.encode() for s in LABEL_NAMES], b"num_vis": 3072},
          root / "batches.meta")
    (root / "readme.html").write_text("<p>Synthetic twin of CIFAR-10 made by course_utils.</p>\n")
