"""The Vietnamese interface uses the words officials use (issue 14, part 5).

Greps what a reader sees: the compiled catalogue's translations, the templates, the texts of
notifications and documents sent upward, and the README. A replaced word may appear in the
README only inside `(not "…")`, where the README names it as the word not to use.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

ROOT = Path(__file__).resolve().parents[2]
MO = ROOT / "webapp" / "translations" / "vi" / "LC_MESSAGES" / "messages.mo"
SENT_TEXTS = [ROOT / "models" / "notify" / "messages.py",
              ROOT / "models" / "notify" / "digest_text.py",
              *(p for p in (ROOT / "models" / "reports").glob("*.py") if p.name != "issuer.py")]
# issuer.py reads agency names as the plan files spell them, in both spellings, on purpose

BANNED = {
    r"(?i)điều phối": "Cán bộ theo dõi, tổng hợp",
    r"(?i)kiểm tra viên": "Cán bộ kiểm tra",
    r"(?i)trễ": "chậm",
    r"(?i)gia hạn": "Điều chỉnh thời hạn",
    r"(?i)\bbị trả lại\b(?!, đề nghị bổ sung)": "Trả lại, đề nghị bổ sung",
    r"(?i)chấp nhận báo cáo|đã chấp nhận|^chấp nhận$": "Tiếp nhận / Đã tiếp nhận",
    r"(?i)kế hoạch kiểm tra hằng năm": "Chương trình kiểm tra, giám sát năm",
    r"(?i)thiếu sót (nghiêm trọng|nhỏ)": "Hạn chế, thiếu sót / Khuyết điểm, vi phạm",
    r"\bTết\b(?! Nguyên đán)": "Tết Nguyên đán",
    r"[ủỦ]y": "uỷ (the seed's spelling)",
}


def _catalogue() -> list[tuple[str, str]]:
    with MO.open("rb") as handle:
        catalog = read_mo(handle)
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        out += [(f"msgid {message.id!r}", s) for s in strings if s]
    return out


def _files(paths) -> list[tuple[str, str]]:
    out = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            out.append((f"{path.relative_to(ROOT)}:{number}", line))
    return out


def _offences(texts) -> list[str]:
    return [f"{where}: {pattern!r} in {text!r} (say {better})"
            for where, text in texts for pattern, better in BANNED.items()
            if re.search(pattern, text, re.MULTILINE)]


def test_the_catalogue_uses_the_officials_words():
    texts = _catalogue()
    assert len(texts) > 500
    assert not _offences(texts)


def test_templates_and_sent_texts_use_the_officials_words():
    templates = sorted((ROOT / "webapp" / "templates").rglob("*.html"))
    assert templates
    assert not _offences(_files([*templates, *SENT_TEXTS]))


def test_the_readme_uses_the_officials_words():
    lines = [(where, re.sub(r'\(not "[^"]*"', "", text))
             for where, text in _files([ROOT / "README.md"])]
    assert not _offences(lines)


@pytest.mark.parametrize("msgid, expected", [
    ("Coordinator", "Cán bộ theo dõi, tổng hợp"), ("Inspector", "Cán bộ kiểm tra"),
    ("Accepted", "Đã tiếp nhận"), ("Returned", "Trả lại, đề nghị bổ sung"),
    ("Observation", "Lưu ý"), ("Minor", "Hạn chế, thiếu sót"), ("Major", "Khuyết điểm, vi phạm"),
    ("Annual inspection plan", "Chương trình kiểm tra, giám sát năm"), ("Escalation", "Đôn đốc"),
    ("Submitted late", "Gửi chậm"), ("Extend", "Điều chỉnh thời hạn"), ("Due", "Thời hạn"),
])
def test_the_key_words_are_translated_so(msgid, expected):
    with MO.open("rb") as handle:
        catalog = read_mo(handle)
    assert catalog.get(msgid).string == expected
