"""PyTorch's side of the ResNet-18 training figure: torchvision's resnet18 (written out in bench/gpu/torch_models.py
so the bench needs only torch), trained with the step Quarry's trainer takes, on random images, on the given threads.

    python3 bench/torch_resnet.py SIDE BATCH STEPS THREADS     prints images/s
"""
import os
import sys

import torch
from torch import nn


# torchvision's resnet18, written out once for both benches (the GPU machines may lack torchvision).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu"))
from torch_models import images_per_second, resnet18  # noqa: E402


def main(side, batch, steps, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = resnet18(10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    images = torch.randn(batch, 3, side, side)
    labels = torch.arange(batch) % 10

    def step():
        optimizer.zero_grad()
        criterion(model(images), labels).backward()
        optimizer.step()

    print(images_per_second(step, batch, steps))


if __name__ == "__main__":
    main(*(int(argument) for argument in sys.argv[1:5]))
