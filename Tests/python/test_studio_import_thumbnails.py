"""Imported thumbnails next to Pillow's `Image.thumbnail` of the same files: the same size, upright, and close
in every pixel (PSNR over 32 dB), on texture where a poor filter shows and on a large photo shrunk while decoding."""
import io
import math
import random
import zipfile

import requests
from PIL import Image, ImageDraw

from test_studio_imports import auth, finished, project


def textured(width, height, seed):
    """Noise tinted with a colour and turned, as bench/imaging_bench.py makes them: fine detail that aliases."""
    rng = random.Random(seed)
    base = Image.effect_noise((width, height), 64).convert("RGB")
    tint = Image.new("RGB", base.size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return Image.blend(base, tint, 0.5).rotate(seed * 37 % 360)


def scene(width, height):
    """Gradients, hard edges and thin lines, like a photo of something man-made."""
    image = Image.new("RGB", (width, height))
    image.putdata([(x * 255 // width, y * 255 // height, (x + y) % 256) for y in range(height) for x in range(width)])
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 23):
        draw.line([(i, 0), (width - i, height)], fill=(255, 255, 255), width=1 + i % 3)
    draw.ellipse([width // 4, height // 4, width * 3 // 4, height * 3 // 4], outline=(0, 0, 0), width=5)
    return image


def jpeg_bytes(image, quality=85, **options):
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, **options)
    return out.getvalue()


def psnr(a, b):
    pixels_a, pixels_b = a.convert("RGB").tobytes(), b.convert("RGB").tobytes()
    error = sum((x - y) ** 2 for x, y in zip(pixels_a, pixels_b)) / len(pixels_a)
    return math.inf if error == 0 else 10 * math.log10(255 ** 2 / error)


def test_imported_thumbnails_match_pillows(server):
    key = server.create_account("thumbnails")
    project_id = project(server, key)
    files = {
        "texture-a.jpg": jpeg_bytes(textured(320, 240, 1)),
        "texture-b.jpg": jpeg_bytes(textured(240, 320, 2)),
        "scene.jpg": jpeg_bytes(scene(1000, 750)),
        "scene-turned.jpg": jpeg_bytes(scene(700, 500).transpose(Image.Transpose.ROTATE_90), exif=exif_orientation(8)),
        "scene.png": png_bytes(scene(400, 300)),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(f"photos/{name}", data)
    response = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", data=out.getvalue(),
                             headers={**auth(key), "Content-Type": "application/zip"})
    assert finished(server, key, project_id, response.json()["data"])["imported"] == len(files)
    images = requests.get(server.url + f"/api/datasets/{project_id}/images", headers=auth(key)).json()["data"]["images"]
    for image in images:
        with Image.open(io.BytesIO(files[image["original_name"]])) as original:
            expected = original.convert("RGB") if "exif" not in original.info else upright(original)
            expected.thumbnail((256, 256))
            # Compared as Pillow would serve it, at the thumbnails' quality: JPEG's own loss alone is 26 to 31 dB.
            expected = Image.open(io.BytesIO(jpeg_bytes(expected, quality=80)))
        with Image.open(io.BytesIO(requests.get(server.url + image["thumbnail_url"], headers=auth(key)).content)) as ours:
            assert ours.size == expected.size, image["original_name"]
            # Measured 33 to 40 dB; area averaging, which the thumbnails used before, gave 30.7 on the texture.
            assert psnr(ours, expected) > 32, (image["original_name"], psnr(ours, expected))


def exif_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def upright(image):
    from PIL import ImageOps
    return ImageOps.exif_transpose(image).convert("RGB")


def png_bytes(image):
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
