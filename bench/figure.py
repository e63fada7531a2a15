"""One benchmark figure beside its reference."""
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    reference: str
    reference_value: float
    higher_is_better: bool = True

    @property
    def ratio(self):
        """Quarry's figure over the reference's: above 1 is better for throughput, below 1 for latency."""
        return self.value / self.reference_value if self.reference_value else float("nan")

    def line(self):
        return (f"{self.name}: {readable(self.value)} {self.unit} "
                f"({self.reference}: {readable(self.reference_value)} {self.unit}, ratio {self.ratio:.2f})")

    def as_json(self):
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "reference": self.reference,
            "reference_value": self.reference_value,
            "ratio": round(self.ratio, 4),
            "higher_is_better": self.higher_is_better,
        }


def readable(value):
    """Whole numbers for large figures, three significant digits for small ones."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
