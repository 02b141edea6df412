import pytest
from PIL import ImageFont

from workshops.exports.fonts import REGULAR
from workshops.exports.text import displayable, is_rtl, neutralise_cell, wrap

from .factories import LONG_NOTE, LONG_WORD, RTL

FONT = ImageFont.truetype(str(REGULAR), 20)


@pytest.mark.parametrize("text", ["=1+1", "+46", "-5", "@sum", "\tx", "\rx"])
def test_formula_starts_are_neutralised(text):
    assert neutralise_cell(text) == "'" + text


def test_ordinary_text_is_left_alone():
    assert neutralise_cell("Öppen dialog") == "Öppen dialog"


def test_a_long_word_is_broken_to_fit():
    lines = wrap(LONG_WORD, FONT.getlength, 200, 4)
    assert "".join(lines) == LONG_WORD
    assert all(FONT.getlength(line) <= 200 for line in lines)


def test_a_long_note_is_ellipsized():
    lines = wrap(LONG_NOTE, FONT.getlength, 234, 4)
    assert len(lines) == 4
    assert lines[-1].endswith("…")
    assert all(FONT.getlength(line) <= 234 for line in lines)


def test_emoji_become_one_box_per_cluster():
    assert displayable("Hej 👩‍💻!") == "Hej □!"
    assert displayable("åäö ÅÄÖ é") == "åäö ÅÄÖ é"


def test_right_to_left_is_detected():
    assert is_rtl(RTL)
    assert not is_rtl("Samverkan")
