"""A drawn detection and segmentation data set: small images of one to four shapes of three classes
(circle, square, triangle) on textured backgrounds, with each shape's box and polygon, as a COCO ZIP.

Deterministic for a seed, so training and evaluation figures reproduce. Issue 20's quality bars (AP50,
mAP, mean IoU) are measured on sets drawn here; the truth is kept beside the archive for checking."""
import io
import json
import math
import random
import zipfile

from PIL import Image, ImageDraw

CLASSES = ["circle", "square", "triangle"]


def shape_polygon(kind, cx, cy, r, turn):
    """The shape's outline as [x, y] points: a 24-gon for a circle, rotated square and triangle."""
    sides = {"circle": 24, "square": 4, "triangle": 3}[kind]
    start = turn + (math.pi / 4 if kind == "square" else -math.pi / 2)
    return [[cx + r * math.cos(start + 2 * math.pi * i / sides), cy + r * math.sin(start + 2 * math.pi * i / sides)]
            for i in range(sides)]


def draw_image(rng, size):
    """One image and its shapes: (PIL image, [(class name, polygon, bbox)]). Shapes do not overlap much, so
    every one stays visible and its box is its truth."""
    pixels = bytes(rng.randrange(70, 150) for _ in range(size * size * 3))
    image = Image.frombytes("RGB", (size, size), pixels)
    draw = ImageDraw.Draw(image)
    shapes = []
    for _ in range(rng.randint(1, 4)):
        for _attempt in range(20):
            r = rng.uniform(size * 0.08, size * 0.18)
            cx, cy = rng.uniform(r + 1, size - r - 1), rng.uniform(r + 1, size - r - 1)
            if all(math.hypot(cx - ox, cy - oy) > r + orad + 2 for _, (ox, oy, orad) in shapes):
                break
        else:
            continue
        kind = rng.choice(CLASSES)
        polygon = shape_polygon(kind, cx, cy, r, rng.uniform(0, math.pi / 2))
        colour = tuple(rng.choice([rng.randrange(0, 50), rng.randrange(200, 256)]) for _ in range(3))
        draw.polygon([tuple(p) for p in polygon], fill=colour)
        shapes.append(((kind, polygon), (cx, cy, r)))
    labelled = []
    for (kind, polygon), _ in shapes:
        xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
        labelled.append((kind, polygon, [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]))
    return image, labelled


def entry(name):
    """A ZIP entry with a fixed date, so the same seed gives the same bytes."""
    return zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))


def coco_zip(count, size=64, seed=0):
    """(ZIP bytes, truth): `count` PNGs under images/ and annotations.json; truth maps each file name to its
    [(class, polygon, bbox)]."""
    rng = random.Random(seed)
    coco = {"images": [], "annotations": [], "categories": [{"id": i + 1, "name": n} for i, n in enumerate(CLASSES)]}
    truth = {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(count):
            image, shapes = draw_image(rng, size)
            name = f"shape{index:04}.png"
            png = io.BytesIO()
            image.save(png, format="PNG")
            archive.writestr(entry("images/" + name), png.getvalue())
            coco["images"].append({"id": index + 1, "file_name": "images/" + name, "width": size, "height": size})
            for kind, polygon, bbox in shapes:
                coco["annotations"].append({
                    "id": len(coco["annotations"]) + 1, "image_id": index + 1, "category_id": CLASSES.index(kind) + 1,
                    "iscrowd": 0, "bbox": [round(v, 2) for v in bbox], "area": bbox[2] * bbox[3],
                    "segmentation": [[round(v, 2) for point in polygon for v in point]]})
            truth[name] = shapes
        archive.writestr(entry("annotations.json"), json.dumps(coco))
    return out.getvalue(), truth
