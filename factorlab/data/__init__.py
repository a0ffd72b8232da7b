"""Market data: the Dataset, its sources (the embedded sample, saved folders) and their checks."""

from factorlab.data import edgar
from factorlab.data.dataset import Dataset
from factorlab.data.schema import describe_columns
from factorlab.data.sources import SOURCES, load_dataset

__all__ = ["SOURCES", "Dataset", "describe_columns", "edgar", "load_dataset"]
