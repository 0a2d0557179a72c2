"""Colour words grounded without training: a lexicon of named colours (CSS4 + the 949 XKCD
names shipped with matplotlib) compared with an object's pixels in CIELAB.

Sentence encoders carry little colour structure, so "crimson", "teal" or "navy" are looked up
here instead. Renders are shaded, so lightness counts less than hue and chroma.
"""

from __future__ import annotations

import functools
import re

import numpy as np

#: Basic colour terms: an object's colour is named with one of these.
BASIC_COLORS = (
    "red", "green", "blue", "yellow", "orange", "purple", "pink", "cyan", "brown", "white",
    "black", "gray",
)  # fmt: skip
_LIGHTNESS_WEIGHT = 0.5
NEAR_BASIC = 35.0  # Lab distance within which a colour word counts as a shade of a basic term
#: A colour word as near (within this Lab distance) to a second basic term as to its nearest
#: lies between the two ("violet": blue and purple) and counts as a shade of either.
BETWEEN_BASIC = 2.5


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] (..., 3) → CIELAB (D65) (..., 3)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    matrix = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = linear @ matrix.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    L = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([L, a, b], axis=-1)


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[str, np.ndarray]:
    """Colour name (lower case, spaces) → Lab. The XKCD survey names win over CSS4 where both
    exist (CSS "chocolate" is orange; people mean a dark brown)."""
    from matplotlib import colors as mcolors

    table: dict[str, np.ndarray] = {}
    for name, hex_code in mcolors.CSS4_COLORS.items():
        table[name] = srgb_to_lab(np.asarray(mcolors.to_rgb(hex_code)))
        table.setdefault(_split_compound(name), table[name])
    for name, hex_code in mcolors.XKCD_COLORS.items():
        table[name.removeprefix("xkcd:").replace("/", " ")] = srgb_to_lab(
            np.asarray(mcolors.to_rgb(hex_code))
        )
    table["grey"] = table["gray"]
    return table


def _split_compound(name: str) -> str:
    """CSS names are run together ("darkblue"); make "dark blue" findable too."""
    for prefix in (
        "dark",
        "light",
        "medium",
        "pale",
        "deep",
        "hot",
        "lime",
        "sky",
        "royal",
        "navy",
        "sea",
        "forest",
    ):
        if name.startswith(prefix) and len(name) > len(prefix) + 2:
            return f"{prefix} {name[len(prefix) :]}"
    return name


#: Colour names that are common as adjectives without a basic term in them. Other lexicon
#: entries ("coffee", "sand", "banana") are only colours when they contain a basic term.
STANDALONE_COLORS = frozenset(
    [
        "crimson",
        "scarlet",
        "teal",
        "navy",
        "maroon",
        "magenta",
        "turquoise",
        "violet",
        "lavender",
        "beige",
        "tan",
        "gold",
        "golden",
        "silver",
        "olive",
        "lime",
        "aqua",
        "indigo",
        "mauve",
        "lilac",
        "peach",
        "salmon",
        "khaki",
        "ochre",
        "burgundy",
        "amber",
        "cream",
        "ivory",
        "charcoal",
        "coral",
        "mint",
        "emerald",
        "azure",
        "cobalt",
        "chocolate",
        "tangerine",
        "lemon",
        "ruby",
        "jade",
        "cerulean",
        "fuchsia",
        "sienna",
        "umber",
        "sepia",
        "taupe",
        "grey",
        "rust",
        "plum",
        "orchid",
        "chartreuse",
        "vermilion",
        "snow",
    ]
)


def is_attribute_color(name: str) -> bool:
    words = name.split()
    return name in STANDALONE_COLORS or any(w in BASIC_COLORS or w == "grey" for w in words)


@functools.lru_cache(maxsize=1)
def _phrase_pattern() -> re.Pattern[str]:
    names = sorted((n for n in lexicon() if is_attribute_color(n)), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")


def find_color_words(text: str) -> list[tuple[str, int, int]]:
    """Colour names in a phrase, longest match first: (name, start, end)."""
    lowered = text.lower()
    return [(m.group(1), m.start(), m.end()) for m in _phrase_pattern().finditer(lowered)]


def is_color_word(word: str) -> bool:
    return word.lower().strip() in lexicon()


def color_distance(lab_a: np.ndarray, lab_b: np.ndarray) -> np.ndarray:
    """Weighted CIELAB distance with lightness down-weighted (shading changes it most)."""
    diff = np.asarray(lab_a, dtype=np.float64) - np.asarray(lab_b, dtype=np.float64)
    diff[..., 0] *= _LIGHTNESS_WEIGHT
    return np.linalg.norm(diff, axis=-1)


def object_color(pixels_rgb: np.ndarray) -> np.ndarray:
    """Robust colour of an object's pixels (M, 3) uint8 → Lab (3,): the median of the most
    saturated half, which ignores shadowed and specular pixels."""
    rgb = np.asarray(pixels_rgb, dtype=np.float64).reshape(-1, 3) / 255.0
    if len(rgb) == 0:
        return np.full(3, np.nan)
    lab = srgb_to_lab(rgb)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    keep = chroma >= np.median(chroma)
    return np.median(lab[keep], axis=0)


def mask_colors(image: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(N, 3) Lab colour of each (H, W) mask's pixels of an (H, W, 3) uint8 image (NaN for an
    empty mask)."""
    if len(masks) == 0:
        return np.zeros((0, 3), np.float32)
    return np.stack([object_color(image[mask]) for mask in masks]).astype(np.float32)


class LabColorNamer:
    """Names and scores colours in CIELAB (implements `vlmbot.models.stages.ColorNamer`).
    Prototypes for the basic terms can be fitted to rendered objects (trained on the seen
    split); other words come straight from the lexicon."""

    def __init__(
        self, prototypes: dict[str, np.ndarray] | None = None, sigma: float = 18.0
    ) -> None:
        self.prototypes = {
            k: np.asarray(v, dtype=np.float64) for k, v in (prototypes or {}).items()
        }
        self.sigma = sigma

    def measure(self, image: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """(N, 3) Lab colour of each (H, W) mask's pixels of an (H, W, 3) uint8 image."""
        return mask_colors(image, masks)

    def reference(self, word: str) -> np.ndarray:
        word = word.lower().strip()
        if word in self.prototypes:
            return self.prototypes[word]
        try:
            return lexicon()[word]
        except KeyError:
            raise KeyError(f"unknown colour word {word!r}") from None

    def references(self, word: str) -> list[np.ndarray]:
        """Lab colours a word may look like in a render: its own reference and, for a word
        close to a basic term ("crimson" ~ red), that term's fitted render prototype; for a
        word between two basic terms ("violet": blue and purple, within BETWEEN_BASIC of
        each other), both prototypes, nearest first. A basic term never borrows another's
        ("orange" is not red, however close)."""
        own = self.reference(word)
        refs = [own]
        word = word.lower().strip()
        is_basic = word in BASIC_COLORS or word == "grey"
        if word not in self.prototypes and self.prototypes and not is_basic:
            distances = {b: float(color_distance(own, p)) for b, p in self.prototypes.items()}
            nearest = min(distances.values())
            if nearest < NEAR_BASIC:
                near = [b for b in distances if distances[b] <= nearest + BETWEEN_BASIC]
                refs += [self.prototypes[b] for b in sorted(near, key=distances.__getitem__)]
        return refs

    def score(self, lab: np.ndarray, word: str) -> float:
        """How well an object colour (Lab) fits a colour word, in (0, 1]."""
        if np.isnan(lab).any():
            return 0.5
        distance = min(float(color_distance(lab, ref)) for ref in self.references(word))
        return float(np.exp(-0.5 * (distance / self.sigma) ** 2))

    def name(self, lab: np.ndarray) -> str:
        """The basic colour term closest to an object colour."""
        if np.isnan(lab).any():
            return "unknown"
        distances = {
            word: float(color_distance(lab, self.reference(word))) for word in BASIC_COLORS
        }
        return min(distances, key=lambda w: distances[w])
