"""Bad requests under the public-deploy config: a clear answer, and nothing lost for the other sessions."""

from __future__ import annotations

import urllib.request

from tests import browser as harness

BOUNDARY = "pages/2_Decision_boundaries.py"


def test_malformed_query_string_still_renders_the_page(server, page):
    harness.goto(page, harness.page_url(server, BOUNDARY, "%zz=%%&boundary.C=not-a-number&&=="))
    harness.assert_no_exception(page)
    assert page.locator("[data-testid=stMain] h1").first.is_visible()
    with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=5) as r:
        assert r.status == 200


def test_oversized_upload_is_refused_with_a_message_and_the_other_session_goes_on(server, page, chromium, tmp_path):
    other = chromium.new_context().new_page()
    harness.goto(other, harness.page_url(server, BOUNDARY))
    big = tmp_path / "big.csv"
    row = b"1.0,2.0,0\n"
    big.write_bytes(b"x,y,label\n" + row * (6 * 2**20 // len(row)))  # 6 MB > maxUploadSize = 5
    harness.goto(page, harness.page_url(server, BOUNDARY))
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(big))
    message = page.get_by_text("5.0MB", exact=False)
    message.first.wait_for(timeout=15_000)
    harness.assert_no_exception(page)
    # The other student's session is untouched: a rerun there still completes.
    other.reload()
    harness.wait_idle(other)
    harness.assert_no_exception(other)
    other.context.close()
