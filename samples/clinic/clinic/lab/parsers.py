"""Streaming parsers for analyzer output files.

Chemistry analyzers write one file per run; a busy day produces files of several hundred
megabytes, so everything here is a generator that never loads a whole file.
"""
from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalyzerRow:
    accession_number: str
    loinc_code: str
    value: str
    unit: str
    instrument_flag: str
    line_number: int


class ParseError(ValueError):
    def __init__(self, line_number: int, message: str) -> None:
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number


def iter_csv(path: Path) -> Iterator[AnalyzerRow | ParseError]:
    """Yield rows (or per-row errors) from a delimited analyzer export."""
    with path.open(newline="", encoding="latin-1") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        required = {"SampleID", "TestCode", "Result", "Unit"}
        if not required.issubset(reader.fieldnames or []):
            raise ParseError(1, f"missing columns {sorted(required - set(reader.fieldnames or []))}")
        for line_number, record in enumerate(reader, start=2):
            if not record["SampleID"]:
                yield ParseError(line_number, "empty sample id")
                continue
            yield AnalyzerRow(
                accession_number=record["SampleID"].strip(),
                loinc_code=record["TestCode"].strip(),
                value=record["Result"].strip(),
                unit=record["Unit"].strip(),
                instrument_flag=(record.get("Flag") or "").strip(),
                line_number=line_number,
            )


def iter_astm(path: Path) -> Iterator[AnalyzerRow | ParseError]:
    """Yield results from an ASTM E1394 record stream (O = order, R = result records)."""
    accession = ""
    with path.open(encoding="ascii", errors="replace") as handle:
        for line_number, raw in enumerate(handle, start=1):
            line = raw.strip().lstrip("\x02").rstrip("\x03")
            if len(line) < 2:
                continue
            record_type = line[1] if line[0].isdigit() else line[0]
            fields = line.split("|")
            if record_type == "O":
                accession = fields[2].split("^")[0] if len(fields) > 2 else ""
            elif record_type == "R":
                if not accession:
                    yield ParseError(line_number, "result record before any order record")
                    continue
                try:
                    test_id = fields[2].split("^")[3]
                    yield AnalyzerRow(accession, test_id, fields[3], fields[4],
                                      fields[6] if len(fields) > 6 else "", line_number)
                except IndexError:
                    yield ParseError(line_number, "malformed result record")
            elif record_type == "L":
                accession = ""


def iter_rows(path: Path, file_format: str) -> Iterator[AnalyzerRow | ParseError]:
    if file_format == "csv":
        return iter_csv(path)
    if file_format == "astm":
        return iter_astm(path)
    raise ValueError(f"Unsupported analyzer format {file_format!r}")
