"""`verify --junit FILE`: the matrix as a JUnit XML report, which GitHub, GitLab and Jenkins display.

One ``<testsuite>`` per framework/variant/database, one ``<testcase>`` per
step and per contract check; a failure carries its first line as the message
and the last lines of its log (and the log's path) as its text. The structure
is the common one of Jenkins' ``junit-10.xsd`` (tests/unit/data/junit-10.xsd).
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from stackstart.matrix import CaseResult

__all__ = ["to_xml", "write"]


# characters XML 1.0 cannot hold (a log's ANSI colours, NULs): dropped, or the file would not parse
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(root: ET.Element) -> None:
    for element in root.iter():
        if element.text:
            element.text = _NOT_XML.sub("", element.text)
        for key, value in element.attrib.items():
            element.set(key, _NOT_XML.sub("", value))


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


def _suite(result: CaseResult, index: int, timestamp: str, host: str) -> ET.Element:
    case = result.case
    suite = ET.Element("testsuite")
    properties = ET.SubElement(suite, "properties")
    for name, value in (("framework", case.framework), ("variant", case.variant), ("database", case.database)):
        ET.SubElement(properties, "property", name=name, value=value)
    report = result.report
    if report is not None and report.database_server:
        ET.SubElement(properties, "property", name="database_server", value=report.database_server)
    tests = failures = errors = skipped = 0
    if report is None:
        testcase = ET.SubElement(suite, "testcase", name="setup", classname=case.id, time="0")
        ET.SubElement(testcase, "error", message=_first_line(result.error), type="setup").text = result.error
        tests, errors = 1, 1
    else:
        for step in report.steps:
            testcase = ET.SubElement(
                suite, "testcase", name=f"step: {step.name}", classname=case.id, time=f"{step.seconds:.3f}"
            )
            tests += 1
            if step.status == "skipped":
                ET.SubElement(testcase, "skipped", message=step.detail)
                skipped += 1
            elif step.status == "failed":
                log = result.log_of(step)
                text = f"$ {step.command}\n{result.tail() if step is result.failed_step else step.detail}"
                text += f"\nfull log: {log if log else result.logs}"
                ET.SubElement(testcase, "failure", message=_first_line(step.detail), type="step").text = text
                failures += 1
            if step.command:
                ET.SubElement(testcase, "system-out").text = f"$ {step.command}\n{step.detail}"
        for check in report.checks:
            testcase = ET.SubElement(suite, "testcase", name=check.name, classname=f"{case.id}.contract", time="0")
            tests += 1
            if not check.passed:
                ET.SubElement(
                    testcase, "failure", message=_first_line(check.detail), type="contract"
                ).text = check.detail
                failures += 1
    suite.attrib.update(
        {
            "name": case.title,
            "id": str(index),
            "package": case.id,
            "hostname": host,
            "timestamp": timestamp,
            "tests": str(tests),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": str(skipped),
            "time": f"{result.seconds:.3f}",
        }
    )
    ET.SubElement(suite, "system-out").text = f"logs: {result.logs}"
    return suite


def to_xml(results: Sequence[CaseResult], wall: float) -> str:
    """The JUnit XML document of ``results``."""
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    host = socket.gethostname() or "localhost"
    root = ET.Element("testsuites", name="stackstart verify")
    suites = [_suite(result, index, timestamp, host) for index, result in enumerate(results)]
    root.extend(suites)
    for total in ("tests", "failures", "errors"):
        root.set(total, str(sum(int(suite.get(total, "0")) for suite in suites)))
    root.set("time", f"{wall:.3f}")
    _clean(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write(results: Sequence[CaseResult], wall: float, path: Path) -> None:
    """Write the report to ``path`` whole or not at all (a temporary file renamed into place)."""
    text = to_xml(results, wall)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
