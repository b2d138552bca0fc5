"""The suite's watch for unmasked identifiers catches them in pages, JSON and XLSX, and only there."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from fengqiao.core import privacy_scan
from fengqiao.core.exporting import table_bytes
from fengqiao.core.masking import mask_identifiers_in


def test_clear_numbers_are_found_and_reported_masked() -> None:
    found = privacy_scan.find_unmasked(b"<td>11010519491231002X</td><td>13812345678</td>")
    assert found == [("identity number", "110105********002X"), ("mobile number", "138****5678")]


def test_masked_numbers_times_and_coordinates_pass() -> None:
    page = '110105********002X 138****5678 data-at="1764567890123" 29.13812345678 NP20261201000123'
    assert privacy_scan.find_unmasked(page.encode()) == []


def test_numbers_inside_an_xlsx_file_are_found() -> None:
    book = table_bytes(["姓名", "电话"], [["王秀英", "13812345678"]], "xlsx")
    assert ("mobile number", "138****5678") in privacy_scan.find_unmasked(book)


def test_the_middleware_writes_down_a_leak_but_not_a_reveal() -> None:
    privacy_scan.take_leaks()
    middleware = privacy_scan.PrivacyScanMiddleware(lambda request: HttpResponse('{"phone": "13812345678"}'))
    middleware(RequestFactory().get("/api/v1/residents/1"))
    middleware(RequestFactory().post("/api/v1/residents/1/reveal"))
    leaks = privacy_scan.take_leaks()
    assert [(leak.path, leak.kind) for leak in leaks] == [("/api/v1/residents/1", "mobile number")]


def test_free_text_is_masked_for_display() -> None:
    assert mask_identifiers_in("回电13812345678") == "回电138****5678"
