"""Writes the image fixtures for ImagingTests. Run once from this folder; the outputs are committed.

    python3 -m pip install pillow && python3 make_fixtures.py

Names carry the expectation: good-* decode; bad-header-* fail the probe; bad-data-* pass the probe
but fail a full decode; bomb-* claim more pixels than the default limit. Each good file has its own
odd size so that a swapped width and height shows up.
"""
import io
import json
import re
import struct
import zlib

from PIL import Image, ImageOps


def gradient(mode, width, height):
    image = Image.new("RGB", (width, height))
    image.putdata([((x * 37) % 256, (y * 59) % 256, ((x + y) * 23) % 256)
                   for y in range(height) for x in range(width)])
    return image.convert(mode)


def encode(image, format, **options):
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, colour_type, bit_depth, rows, interlaced=False):
    """A PNG written by hand, for what Pillow cannot write: 16-bit RGBA and Adam7 interlacing.
    `rows` is a list of raw scanlines (bytes), before filtering."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 1 if interlaced else 0)
    if interlaced:
        bytes_per_pixel = len(rows[0]) // width
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        scanlines = []
        for x0, y0, dx, dy in passes:
            for y in range(y0, height, dy):
                pixels = [rows[y][x * bytes_per_pixel:(x + 1) * bytes_per_pixel] for x in range(x0, width, dx)]
                if pixels:
                    scanlines.append(b"\x00" + b"".join(pixels))
    else:
        scanlines = [b"\x00" + row for row in rows]
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(scanlines)))
            + chunk(b"IEND", b""))


def rgba16_rows(width, height):
    return [b"".join(struct.pack(">HHHH", x * 3000, y * 5000, (x + y) * 1900, 65535 - x * 1000)
                     for x in range(width)) for y in range(height)]


def find_chunk(data, kind):
    return data.index(kind) - 4


def find_scan(data):
    """Offset of the first byte of entropy-coded data: just past the SOS segment."""
    sos = data.index(b"\xff\xda")
    return sos + 2 + struct.unpack(">H", data[sos + 2:sos + 4])[0]


def exif(orientation):
    """IFD0 with the one entry, hand-made so that odd orientations are little-endian and even ones
    big-endian: both byte orders get read."""
    endian = "<" if orientation % 2 else ">"
    tiff = ((b"II" if orientation % 2 else b"MM") + struct.pack(endian + "HIH", 42, 8, 1)
            + struct.pack(endian + "HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(endian + "I", 0))
    return b"Exif\x00\x00" + tiff


def oriented(orientation):
    """A 6×4 image with no symmetry, saved with EXIF `orientation`, so every turn shows."""
    image = Image.new("RGB", (6, 4))
    image.putdata([(x * 40, y * 80, 200 if (x, y) == (0, 0) else 20) for y in range(4) for x in range(6)])
    return encode(image, "JPEG", quality=95, exif=exif(orientation))


def with_orientation(jpeg, orientation):
    """`jpeg` with an APP1 Exif segment carrying `orientation` right after SOI."""
    body = exif(orientation)
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def expected_pixels(name, data):
    """What ImageDecoder.decode should give, by Pillow, which is the reference, except for 16-bit
    samples: Pillow clips those to 8 bits, libpng keeps the high byte, as the sources here say."""
    if name.startswith(("orient-", "sampling-")):
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    elif name == "good-png-gray16-15x6.png":
        image = gradient("L", 15, 6).convert("RGB")
    elif "rgba16" in name:
        width, height = map(int, re.search(r"(\d+)x(\d+)", name).groups())
        image = Image.frombytes("RGBA", (width, height), b"".join(bytes(row[0::2]) for row in rgba16_rows(width, height)))
    else:
        image = Image.open(io.BytesIO(data))
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    width, height = image.size
    points = [(0, 0), (width // 2, height // 2), (width - 1, height - 1)]
    if name.startswith("orient-"):
        points = [(x, y) for y in range(height) for x in range(width)]
    return {"width": width, "height": height, "channels": len(image.mode),
            "points": [[x, y] for x, y in points], "values": [list(image.getpixel(point)) for point in points]}


def main():
    files = {}
    files["good-png-gray1-13x7.png"] = encode(gradient("1", 13, 7), "PNG")
    files["good-png-gray8-14x9.png"] = encode(gradient("L", 14, 9), "PNG")
    files["good-png-gray16-15x6.png"] = encode(gradient("L", 15, 6).convert("I").point(lambda v: v * 257).convert("I;16"), "PNG")
    files["good-png-rgb-16x5.png"] = encode(gradient("RGB", 16, 5), "PNG")
    files["good-png-palette-17x11.png"] = encode(gradient("RGB", 17, 11).quantize(16), "PNG")
    files["good-png-grayalpha-18x4.png"] = encode(gradient("LA", 18, 4), "PNG")
    files["good-png-rgba-19x10.png"] = encode(gradient("RGBA", 19, 10), "PNG")
    files["good-png-rgba16-20x3.png"] = png(20, 3, 6, 16, rgba16_rows(20, 3))
    files["good-png-interlaced-rgba16-21x13.png"] = png(21, 13, 6, 16, rgba16_rows(21, 13), interlaced=True)
    files["good-jpeg-baseline-23x15.jpg"] = encode(gradient("RGB", 23, 15), "JPEG", quality=80)
    files["good-jpeg-progressive-24x17.jpg"] = encode(gradient("RGB", 24, 17), "JPEG", quality=80, progressive=True)
    files["good-jpeg-gray-25x12.jpg"] = encode(gradient("L", 25, 12), "JPEG", quality=80)
    files["good-jpeg-cmyk-26x8.jpg"] = encode(gradient("CMYK", 26, 8), "JPEG", quality=80)

    rgb = files["good-png-rgb-16x5.png"]
    idat = find_chunk(rgb, b"IDAT")
    files["bad-header-png-truncated-in-ihdr.png"] = rgb[:20]
    files["bad-data-png-truncated-after-ihdr.png"] = rgb[:idat]
    files["bad-data-png-truncated-in-idat.png"] = rgb[:idat + 20]
    files["bad-data-png-missing-iend.png"] = rgb[:-12]
    flipped = bytearray(rgb)
    flipped[idat + 12] ^= 0xFF
    files["bad-data-png-flipped-idat.png"] = bytes(flipped)
    idat_crc = bytearray(rgb)
    iend = find_chunk(rgb, b"IEND")
    idat_crc[iend - 1] ^= 0x01
    files["bad-data-png-idat-crc.png"] = bytes(idat_crc)
    bad_crc = bytearray(rgb)
    bad_crc[29] ^= 0x01
    files["bad-header-png-ihdr-crc.png"] = bytes(bad_crc)
    bad_depth = bytearray(rgb)
    bad_depth[24] = 4  # truecolour allows only 8 or 16 bits
    bad_depth[29:33] = struct.pack(">I", zlib.crc32(bytes(bad_depth[12:29])))
    files["bad-header-png-rgb-at-4-bits.png"] = bytes(bad_depth)

    baseline = files["good-jpeg-baseline-23x15.jpg"]
    progressive = files["good-jpeg-progressive-24x17.jpg"]
    scan = find_scan(baseline)
    files["bad-header-jpeg-truncated-in-app0.jpg"] = baseline[:12]
    files["bad-data-jpeg-truncated-after-sos.jpg"] = baseline[:scan]
    files["bad-data-jpeg-truncated-in-scan.jpg"] = baseline[:scan + (len(baseline) - scan) // 2]
    files["bad-data-jpeg-missing-eoi.jpg"] = baseline[:-2]
    files["bad-data-jpeg-progressive-truncated.jpg"] = progressive[:len(progressive) * 2 // 3]
    marker_in_scan = bytearray(baseline)
    marker_in_scan[scan + 10:scan + 12] = b"\xff\xd3"  # a restart marker where none is due
    files["bad-data-jpeg-marker-in-scan.jpg"] = bytes(marker_in_scan)
    files["bad-header-jpeg-garbage-after-soi.jpg"] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40

    bomb_ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    files["bomb-png-100000x100000.png"] = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bomb_ihdr)
                                          + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    sof = baseline.index(b"\xff\xc0")
    files["bomb-jpeg-60000x60000.jpg"] = baseline[:sof + 5] + struct.pack(">HH", 60000, 60000) + baseline[sof + 9:]

    for orientation in range(1, 9):
        files[f"orient-jpeg-{orientation}.jpg"] = oriented(orientation)

    # Chroma sampling as cameras and encoders write it, for thumbnails made plane by plane: Pillow's
    # subsampling 0 is 4:4:4, 1 is 4:2:2, 2 is 4:2:0. Sizes are odd, and one is large enough to be
    # shrunk while decoding; one is turned by EXIF, which swaps 4:2:2's sampling.
    files["sampling-jpeg-444-333x251.jpg"] = encode(gradient("RGB", 333, 251), "JPEG", quality=90, subsampling=0)
    files["sampling-jpeg-422-301x199.jpg"] = encode(gradient("RGB", 301, 199), "JPEG", quality=90, subsampling=1)
    files["sampling-jpeg-420-37x23.jpg"] = encode(gradient("RGB", 37, 23), "JPEG", quality=90, subsampling=2)
    files["sampling-jpeg-420-701x529.jpg"] = encode(gradient("RGB", 88, 66).resize((701, 529), Image.BILINEAR), "JPEG",
                                                    quality=90, subsampling=2)
    files["sampling-jpeg-422-orient6-301x199.jpg"] = with_orientation(
        encode(gradient("RGB", 301, 199), "JPEG", quality=90, subsampling=1), 6)

    for name, data in files.items():
        if name.startswith(("good-", "sampling-")):
            Image.open(io.BytesIO(data)).load()  # Pillow must agree the file is sound
        with open(name, "wb") as file:
            file.write(data)
    expected = {name: expected_pixels(name, data) for name, data in files.items()
                if name.startswith(("good-", "orient-", "sampling-"))}
    with open("expected.json", "w") as file:
        json.dump(expected, file, separators=(",", ":"), sort_keys=True)
        file.write("\n")
    print(f"{len(files)} files, {sum(map(len, files.values()))} bytes")


main()
