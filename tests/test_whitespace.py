"""booktools.whitespace: lighter pages that render the same."""

from booktools.whitespace import collapse_whitespace


def test_whitespace_between_tags_becomes_one_newline_or_one_space():
    html = "<ul>\n      <li>a</li>   <li>b</li>\n\n    </ul>"
    assert collapse_whitespace(html) == "<ul>\n<li>a</li> <li>b</li>\n</ul>"


def test_verbatim_elements_keep_every_character():
    pre = '<pre><code>def f():\n    return 1\n\n\n<span>  x</span>   <span>y</span></code></pre>'
    script = '<script>var a = "<b>   </b>";\n    f();</script>'
    area = "<textarea>\n   notes  \n</textarea>"
    html = f"<div>\n   {pre}\n   {script}\n   {area}\n</div>"
    out = collapse_whitespace(html)
    assert pre in out and script in out and area in out
    assert out == f"<div>\n{pre}\n{script}\n{area}\n</div>"


def test_text_and_single_spaces_are_left_alone():
    html = "<p>one  two <b>bold</b> <i>it</i></p>"
    assert collapse_whitespace(html) == html
