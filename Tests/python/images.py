"""Real PNG and JPEG files made with Pillow, for uploads."""
import io

from PIL import Image


def png(width=32, height=24, color=(200, 30, 30), mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, (width, height), color if mode != "L" else color[0]).save(out, format="PNG")
    return out.getvalue()


def jpeg(width=40, height=30, color=(20, 120, 220)):
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="JPEG", quality=90)
    return out.getvalue()


def distinct_pngs(count, width=16, height=12):
    """`count` different PNGs (different bytes, so different blobs)."""
    return [png(width, height, (i % 256, (i // 256) % 256, 77)) for i in range(count)]
