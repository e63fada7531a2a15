#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into Tests/Fuzz/Corpus/<target>/seed-*: small valid inputs
that show libFuzzer each format's structure. Crashes found later are added beside them as crash-*.

    python3 Tests/Fuzz/seeds.py
"""
import io
import json
import os
import zipfile

from PIL import Image

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")


def http():
    piece = b"\x07"
    return [
        piece + b"GET /api/projects?page=2 HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n",
        piece + b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        piece + b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5;name=\"v\"\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n",
        piece + b"\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\nGET /next HTTP/1.1\r\n\r\n",
        b"\x01" + b"PUT /a%20b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1a\r\n" + b"z" * 26 + b"\r\n0\r\n\r\n",
    ]


def multipart():
    body = (b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
            b"\x89PNG\r\n\x1a\n--X not yet\r\n--XyZ--\r\nepilogue")
    return [
        b"\x05multipart/form-data; boundary=XyZ\n" + body,
        b"\x01multipart/form-data; boundary=\"a'b(c)d+e_f,g-h.i/j:k=l?m n\"\n--a'b(c)d+e_f,g-h.i/j:k=l?m n\r\n\r\n\r\n--a'b(c)d+e_f,g-h.i/j:k=l?m n--",
    ]


def archive(files, method=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in files:
            z.writestr(name, data)
    return out.getvalue()


def zips():
    return [
        archive([("cats/1.txt", b"meow" * 20), ("dogs/", b""), ("dogs/2.txt", b"woof")]),
        archive([("a.bin", bytes(range(256)))], zipfile.ZIP_STORED),
        archive([("zeros.bin", bytes(4096))]),
    ]


def encoded(image, format, **options):
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def images():
    rgb = Image.new("RGB", (9, 7))
    rgb.putdata([(x * 28, y * 36, (x + y) * 16) for y in range(7) for x in range(9)])
    exif = Image.Exif()
    exif[0x0112] = 6
    return [
        encoded(rgb, "PNG"),
        encoded(rgb.convert("P"), "PNG"),
        encoded(rgb.convert("LA"), "PNG"),
        encoded(rgb.convert("RGBA"), "PNG", optimize=True),
        encoded(rgb.convert("I;16"), "PNG"),
        encoded(rgb.convert("1"), "PNG"),
        encoded(rgb, "JPEG", quality=80),
        encoded(rgb.convert("L"), "JPEG"),
        encoded(rgb, "JPEG", progressive=True, subsampling=0),
        encoded(rgb, "JPEG", exif=exif.tobytes()),
        encoded(rgb.convert("CMYK"), "JPEG"),
    ]


def jsons():
    config = {"name": "digits-cnn", "split_index": 0, "model": "small_cnn", "image_size": 16, "epochs": 15, "batch_size": 64,
              "optimizer": {"name": "adamw", "lr": 0.002, "weight_decay": 0.0001}, "scheduler": {"name": "cosine", "warmup_epochs": 1},
              "augmentations": {"hflip": False}, "device": "cpu", "seed": 0}
    export = {"experiment_id": "e1", "run_id": "r1", "checkpoint": "last", "format": "onnx",
              "options": {"opset_version": 13, "input_shape": [1, 3, 32, 32], "dynamic_axes": {"input": {"0": "batch"}}, "simplify": True}}
    evaluation = {"experiment_id": "e1", "run_id": "r1", "checkpoint": "best", "split_index": 0, "split_subset": "val", "batch_size": 32}
    labels = [{"image_id": 1, "labels": [{"label": "tag", "type": "tag"},
                                         {"label": "bounding_box", "type": "bounding_box", "bbox": [1, 2, 30, 20], "confidence": 0.5},
                                         {"label": "polygon", "type": "polygon", "points": [[0, 0], [10, 0], [5, 8]]},
                                         {"label": "point", "type": "point", "point": [3.5, 4]}]}]
    predictions = {"boxes": [[1, 2, 3, 4.5e-3]], "scores": [0.9, -1e300], "note": "caf\u00e9 \ud83d\udc08", "ok": True, "none": None}
    return [bytes([i]) + json.dumps(body).encode() for i, body in enumerate([config, export, evaluation, labels, predictions])]


def onnx():
    return [
        b"\x01\x04" + bytes(range(1, 120)),
        # Export: 3 channels, side 8, 4 classes, a seed, opset 17, a valid shape, batch 2, simplify, a batch name, one metadata pair.
        b"\x00\x02\x06\x03" + bytes(8) + b"\x06\x05\x01\x01\x00\x05batch\x01\x07classes\x03a,b",
    ]


def main():
    targets = {"http": http(), "multipart": multipart(), "zip": zips(), "image": images(), "json": jsons(), "onnx": onnx()}
    for target, seeds in targets.items():
        folder = os.path.join(CORPUS, target)
        os.makedirs(folder, exist_ok=True)
        for index, seed in enumerate(seeds):
            with open(os.path.join(folder, f"seed-{index:02d}"), "wb") as out:
                out.write(seed)


if __name__ == "__main__":
    main()
