"""Generated ID-style portraits for the demo staff (no real person is shown)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

#: Portrait size in pixels (3:4, like a one-inch ID photo).
SIZE = (120, 160)

_BACKGROUNDS = ((67, 142, 219), (214, 50, 48), (236, 240, 243))
_SKIN = ((241, 204, 178), (230, 188, 152), (224, 172, 138), (246, 214, 190))
_HAIR = ((28, 24, 22), (45, 35, 30), (60, 45, 35), (20, 20, 25))
_CLOTHES = ((32, 42, 68), (30, 30, 32), (245, 245, 245), (90, 30, 40), (40, 70, 60))


def portrait(rng: np.random.Generator, gender: str) -> bytes:
    """A PNG portrait: background, shoulders, face and hair in a few flat colours."""
    scale = 2
    w, h = SIZE[0] * scale, SIZE[1] * scale

    def pick(options: tuple[tuple[int, int, int], ...]) -> tuple[int, int, int]:
        return options[int(rng.integers(len(options)))]

    background, skin, hair, clothes = (
        pick(_BACKGROUNDS),
        pick(_SKIN),
        pick(_HAIR),
        pick(_CLOTHES),
    )
    img = Image.new("RGB", (w, h), background)
    d = ImageDraw.Draw(img)
    cx = w // 2 + int(rng.integers(-6, 7))
    head_w = int(w * rng.uniform(0.44, 0.50))
    head_h = int(head_w * rng.uniform(1.22, 1.30))
    top = int(h * 0.13)
    if gender == "f":
        d.rounded_rectangle(
            (cx - head_w * 0.62, top - 6, cx + head_w * 0.62, top + head_h * 1.25),
            radius=head_w // 2,
            fill=hair,
        )
    d.ellipse((cx - w * 0.52, h * 0.70, cx + w * 0.52, h * 1.30), fill=clothes)
    if clothes != (245, 245, 245):
        d.polygon(
            [(cx - w * 0.11, h * 0.71), (cx + w * 0.11, h * 0.71), (cx, h * 0.86)],
            fill=(245, 245, 245),
        )
    d.rectangle((cx - w * 0.09, top + head_h * 0.8, cx + w * 0.09, h * 0.73), fill=skin)
    d.ellipse((cx - head_w / 2, top, cx + head_w / 2, top + head_h), fill=skin)
    d.chord(
        (cx - head_w / 2 - 3, top - 10, cx + head_w / 2 + 3, top + head_h * 0.62),
        start=180,
        end=360,
        fill=hair,
    )
    eye_y = top + head_h * 0.50
    for side in (-1, 1):
        ex = cx + side * head_w * 0.19
        d.ellipse((ex - 5, eye_y - 3, ex + 5, eye_y + 4), fill=(40, 30, 28))
    d.arc(
        (
            cx - head_w * 0.14,
            top + head_h * 0.66,
            cx + head_w * 0.14,
            top + head_h * 0.80,
        ),
        start=20,
        end=160,
        fill=(170, 90, 80),
        width=3,
    )
    small = img.resize(SIZE, Image.Resampling.LANCZOS)
    quantised = small.quantize(
        colors=24, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    quantised.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
