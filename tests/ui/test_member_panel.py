"""The member panel: tier progress, banners, lifecycle and the offline-unverified state."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot
from ui_hq import LocalHq
from window_helpers import idle

from posloyalty.clock import FixedClock
from posloyalty.domain import codes
from posloyalty.domain.ids import MemberId
from posloyalty.sync.client import CREDENTIAL_STORE_KEY, STATE_KEY, enroll
from posloyalty.sync.lookup import MemberLookup
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.demo_setup import DemoTerminal, demo_dynamic_code
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import PaymentDialog, RegistrationDialog


def test_tier_progress_birthday_and_first_purchase(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    with demo.db.write() as session:
        session.connection().exec_driver_sql(
            "UPDATE members SET birthday = '11-25' WHERE id = 'M000000003'"
        )
    window.show()
    window.handle_scan(demo_dynamic_code(demo.db, demo.vault, "M000000003"))
    idle(qtbot, window)
    m = window.view.member
    assert m is not None and m.tier == "regular"
    # miniso: silver at 3,000 growth, 10 growth per yuan; the demo gives this member 500.
    assert window.next_tier_label.text() == "Spend ¥250.00 more for Silver"  # 银卡
    assert window.birthday_banner.isVisible()
    assert window.lifecycle_label.text().startswith("First purchase")
    assert window.tier_badge.text() == "Regular"  # 普通卡 in Chinese
    assert window.phone_label.text().startswith("Phone 138****0003")
    assert not window.unverified_label.isVisible()


def test_a_member_the_slice_does_not_confirm_is_shown_unverified(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    # A well-formed dynamic code of a member without a secret here (offline slice).
    member = "M000000040"
    code = codes.make_dynamic(
        MemberId(member), member_codes.demo_secret(member), int(demo.db.clock.now().timestamp())
    )
    window.show()
    window.handle_scan(code)
    idle(qtbot, window)
    m = window.view.member
    assert m is not None and not m.confirmed and not m.may_redeem
    assert window.unverified_label.isVisible()
    assert "Not verified" in window.unverified_label.text()
    assert not window.buttons["pointsButton"].isEnabled()


def test_a_scan_while_paying_is_refused_inside_the_payment_dialog(
    qtbot: QtBot, window: CashierWindow
) -> None:
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    window.pay()
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    window.handle_scan(product_ean(2))
    idle(qtbot, window)
    assert "paying" in dialog.message.text()
    assert window.cart_model.rowCount() == 1


def test_a_new_member_gets_their_card_qr_on_the_receipt(
    qtbot: QtBot, window: CashierWindow
) -> None:
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    reg = RegistrationDialog(window, "13711112222")
    qtbot.addWidget(reg)
    reg.consent_check.setChecked(True)
    reg.register()
    idle(qtbot, window)
    assert reg.registered is not None
    window.pay()
    idle(qtbot, window)
    window.counter.session.add_payment("card")
    with qtbot.waitSignal(window.committed, timeout=10_000) as blocker:
        window.commit()
    receipt = blocker.args[0]
    assert receipt.member_id == reg.registered.member_id
    doc = window.last_receipt_doc
    assert doc is not None
    assert doc.qr == reg.registered.code
    assert doc.barcode == receipt.receipt_code
    texts = [r.left for r in doc.rows]
    assert "Points earned" in texts and "Total" in texts


def test_posloyalty_run_starts_ready_to_scan(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(
                sys.executable,
                "-m",
                "posloyalty.cli",
                "run",
                "--demo",
                "--quit-after",
                "0.5",
                "--no-hq",
            ),
            *("--demo-members", "100", "--lang", "en"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ready to scan" in done.stdout
    # One screen: the customer display would cover the cashier's window, so it stays closed.
    assert "customer display: no second screen" in done.stdout
    assert "posloyalty codes demo-code --db var/terminal.db M000000001" in done.stdout
    assert (tmp_path / "var" / "terminal.db").exists()


def _unknown_member_code(demo: DemoTerminal) -> str:
    member = "M000000040"  # well-formed, no secret on this till
    return codes.make_dynamic(
        MemberId(member), member_codes.demo_secret(member), int(demo.db.clock.now().timestamp())
    )


def test_the_banner_says_hq_offline_only_when_the_till_is_offline(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    with demo.db.write() as session:  # enrolled, and the last sync found HQ unreachable
        repo.set_setting(session, CREDENTIAL_STORE_KEY, "file")
        repo.set_setting(session, STATE_KEY, json.dumps({"connection": "offline"}))
    window.counter = Counter(window.counter.ctx, demo.vault, MemberLookup(demo.db))
    window.show()
    window.handle_scan(_unknown_member_code(demo))
    idle(qtbot, window)
    m = window.view.member
    assert m is not None and not m.confirmed and m.unverified == "offline"
    assert window.unverified_label.text().startswith("Not verified yet (HQ offline)")


def test_online_a_code_hq_does_not_know_says_so_not_offline(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal, hq: LocalHq
) -> None:
    enroll(demo.db, hq.url, hq.service.make_enrolment_code("S9"), key_store="file")
    with demo.db.write() as session:
        repo.set_setting(session, STATE_KEY, json.dumps({"connection": "online"}))
    lookup = MemberLookup(demo.db)
    window.counter = Counter(window.counter.ctx, demo.vault, lookup)
    window.show()
    window.handle_scan(_unknown_member_code(demo))
    idle(qtbot, window)
    m = window.view.member
    assert m is not None and not m.confirmed and m.unverified == "not_found"
    text = window.unverified_label.text()
    assert text.startswith("Not verified: HQ does not know this member code")
    assert "offline" not in text
    lookup.close()


def _member_sale(qtbot: QtBot, window: CashierWindow, demo: DemoTerminal, member: str) -> Any:
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    if member:
        clock = demo.db.clock
        assert isinstance(clock, FixedClock)
        clock.advance(seconds=31)  # a new code: the last one is used
        window.handle_scan(demo_dynamic_code(demo.db, demo.vault, member))
        idle(qtbot, window)
    window.pay()
    idle(qtbot, window)
    window.counter.session.add_payment("card")
    with qtbot.waitSignal(window.committed, timeout=10_000, raising=False) as blocker:
        window.commit()
    assert blocker.signal_triggered, window.last_message
    idle(qtbot, window)
    assert window.last_receipt is not None
    assert (window.last_receipt.member_id or "") == member, window.last_message
    return window.last_receipt_doc


def test_a_members_receipt_links_to_their_card_page_when_the_till_is_enrolled(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal, hq: LocalHq
) -> None:
    import zxingcpp
    from PIL import Image

    # Not enrolled: no HQ, no link.
    doc = _member_sale(qtbot, window, demo, "M000000003")
    assert doc.qr == "" and not any("/m/" in r.left for r in doc.rows)
    enroll(demo.db, hq.url, hq.service.make_enrolment_code("S9"), key_store="file")
    doc = _member_sale(qtbot, window, demo, "M000000003")
    card = hq.url + "/m/"
    assert doc.qr == card and doc.qr_caption == "Scan for your member card"
    assert card in [r.left for r in doc.rows]
    # The printed (previewed) receipt's QR reads as the card page's address.
    image = Image.open(io.BytesIO(window.last_receipt_png))
    assert [b.text for b in zxingcpp.read_barcodes(image) if b.text.startswith("http")] == [card]
    # A sale without a member carries no link.
    doc = _member_sale(qtbot, window, demo, "")
    assert doc.qr == "" and not any("/m/" in r.left for r in doc.rows)
