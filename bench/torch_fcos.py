"""PyTorch's side of the detection training figure: Quarry's fcos_resnet18 written in PyTorch (torchvision's
ResNet-18 cut after each stage, conv1×1 laterals to 128 channels fused top-down by nearest upsampling into the
stride-8 map, two conv3×3-BN-ReLU and a conv3×3 head), with FCOS's losses (sigmoid focal, GIoU weighted by
centerness, centerness BCE) on the same assignment, trained on random images with two fixed boxes each by the step
Quarry's bench takes (SGD with momentum 0.9), on the given threads. torchvision's own FCOS would be the natural
reference, but its PyPI wheel does not load beside the CPU build of torch the bench uses (docs/benchmarks.md).

    python3 bench/torch_fcos.py SIDE BATCH STEPS THREADS     prints images/s
"""
import os
import sys

import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu"))
from torch_models import images_per_second, resnet18  # noqa: E402


class Detector(nn.Module):
    def __init__(self, classes, channels=128):
        super().__init__()
        layers = list(resnet18(classes).children())[:-3]
        self.parts = nn.ModuleList([nn.Sequential(*layers[:8]), nn.Sequential(*layers[8:10]), nn.Sequential(*layers[10:12])])
        self.laterals = nn.ModuleList([nn.Conv2d(width, channels, 1) for width in (128, 256, 512)])
        tower = []
        for _ in range(2):
            tower += [nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels), nn.ReLU()]
        self.tower = nn.Sequential(*tower)
        self.head = nn.Conv2d(channels, classes + 5, 3, 1, 1)

    def forward(self, x):
        features = []
        for part in self.parts:
            x = part(x)
            features.append(x)
        fused = self.laterals[2](features[2])
        for level in (1, 0):
            fused = self.laterals[level](features[level]) + F.interpolate(fused, scale_factor=2, mode="nearest")
        return self.head(self.tower(fused))


def targets(boxes, size, stride, classes):
    """Quarry's assignment (center sampling 1.5 strides, the smallest box) for one image: per location the class
    (-1 for background), the four distances and the centerness."""
    side = size // stride
    label = torch.full((side * side,), -1)
    distances = torch.zeros(side * side, 4)
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][2] - boxes[i][0]) * (boxes[i][3] - boxes[i][1]))
    for index in order:
        x1, y1, x2, y2, c = boxes[index]
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        for location in range(side * side):
            x, y = (location % side + 0.5) * stride, (location // side + 0.5) * stride
            if label[location] < 0 and abs(x - cx) < 1.5 * stride and abs(y - cy) < 1.5 * stride and x1 < x < x2 and y1 < y < y2:
                label[location] = c
                distances[location] = torch.tensor([x - x1, y - y1, x2 - x, y2 - y])
    lr, tb = distances[:, [0, 2]], distances[:, [1, 3]]
    centerness = ((lr.min(1).values / lr.max(1).values.clamp(min=1e-6)) * (tb.min(1).values / tb.max(1).values.clamp(min=1e-6))).sqrt()
    return label, distances, centerness


def loss(output, label, distances, centerness, classes, stride):
    n = output.shape[0]
    flat = output.flatten(2)  # (N, classes + 5, locations)
    logits, regression, center = flat[:, :classes], flat[:, classes:classes + 4], flat[:, classes + 4]
    positive = label >= 0
    onehot = torch.zeros_like(logits)
    onehot.scatter_(1, label.clamp(min=0).unsqueeze(1), positive.unsqueeze(1).float())
    count = positive.sum().clamp(min=1)
    p = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    weight = onehot * 0.25 * (1 - p) ** 2 + (1 - onehot) * 0.75 * p ** 2
    classification = (weight * ce).sum() / count
    predicted = (stride * regression.clamp(max=12).exp()).transpose(1, 2)[positive]
    target, weights = distances[positive], centerness[positive]
    overlap_w = torch.minimum(predicted[:, 0], target[:, 0]) + torch.minimum(predicted[:, 2], target[:, 2])
    overlap_h = torch.minimum(predicted[:, 1], target[:, 1]) + torch.minimum(predicted[:, 3], target[:, 3])
    enclose_w = torch.maximum(predicted[:, 0], target[:, 0]) + torch.maximum(predicted[:, 2], target[:, 2])
    enclose_h = torch.maximum(predicted[:, 1], target[:, 1]) + torch.maximum(predicted[:, 3], target[:, 3])
    intersection = overlap_w * overlap_h
    union = (predicted[:, 0] + predicted[:, 2]) * (predicted[:, 1] + predicted[:, 3]) + (target[:, 0] + target[:, 2]) * (target[:, 1] + target[:, 3]) - intersection
    enclosing = enclose_w * enclose_h
    giou = 1 - intersection / union + (enclosing - union) / enclosing
    box = (weights * giou).sum() / weights.sum().clamp(min=1e-6)
    centered = F.binary_cross_entropy_with_logits(center[positive], weights, reduction="sum") / count
    return classification + box + centered


def main(side, batch, steps, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    classes, stride = 10, 8
    model = Detector(classes)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    images = torch.randn(batch, 3, side, side)
    s = float(side)
    per_image = [targets([(s * 0.1, s * 0.2, s * 0.5, s * 0.6, n % 10), (s * 0.55, s * 0.5, s * 0.9, s * 0.95, (n + 3) % 10)],
                         side, stride, classes) for n in range(batch)]
    label, distances, centerness = (torch.stack([t[i] for t in per_image]) for i in range(3))

    def step():
        optimizer.zero_grad()
        loss(model(images), label, distances, centerness, classes, stride).backward()
        optimizer.step()

    print(images_per_second(step, batch, steps))


if __name__ == "__main__":
    main(*(int(v) for v in sys.argv[1:5]))
