"""ResNet-18 and MobileNetV2 in plain torch, torchvision's layouts (the lent GPU machines have PyTorch but
not necessarily torchvision), for bench/gpu/compare.py, and the CPU references' timing."""
import time

from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.main = nn.Sequential(nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(),
                                  nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False), nn.BatchNorm2d(outputs))
        self.shortcut = None
        if stride != 1 or inputs != outputs:
            self.shortcut = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        return (self.main(x) + (x if self.shortcut is None else self.shortcut(x))).relu()


def images_per_second(step, batch, steps, warmup=2):
    """Images a second through `steps` calls of `step` (a training step on `batch` images), after `warmup` untimed ones:
    the CPU references' timing (the GPU comparison synchronizes the device around its own)."""
    for _ in range(warmup):
        step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    return batch * steps / (time.perf_counter() - started)


def resnet18(classes):
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    inputs = 64
    for stage, outputs in enumerate([64, 128, 256, 512]):
        for block in range(2):
            layers.append(BasicBlock(inputs, outputs, 2 if stage > 0 and block == 0 else 1))
            inputs = outputs
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes))


def conv_bn(inputs, outputs, kernel, stride=1, groups=1, relu=True):
    layers = [nn.Conv2d(inputs, outputs, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(outputs)]
    return layers + ([nn.ReLU6()] if relu else [])


class InvertedResidual(nn.Module):
    def __init__(self, inputs, outputs, stride, expansion):
        super().__init__()
        hidden = inputs * expansion
        layers = (conv_bn(inputs, hidden, 1) if expansion != 1 else []) + conv_bn(hidden, hidden, 3, stride, hidden) \
            + conv_bn(hidden, outputs, 1, relu=False)
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and inputs == outputs

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


def mobilenet_v2(classes):
    layers, inputs = conv_bn(3, 32, 3, 2), 32
    for expansion, outputs, repeats, stride in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                                                (6, 160, 3, 2), (6, 320, 1, 1)]:
        for index in range(repeats):
            layers.append(InvertedResidual(inputs, outputs, stride if index == 0 else 1, expansion))
            inputs = outputs
    layers += conv_bn(inputs, 1280, 1)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1280, classes))


def model(name, classes):
    return {"resnet18": resnet18, "mobilenet_v2": mobilenet_v2}[name](classes)
