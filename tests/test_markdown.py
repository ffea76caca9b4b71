"""meshportal/markdown.py: descriptions people write are rendered as Markdown and
sanitised, so nothing a writer types can run in a reader's browser."""

import pytest
from django.utils.safestring import SafeString

from meshportal.markdown import render_markdown


def test_markdown_is_rendered_with_a_conservative_set_of_tags():
    html = render_markdown(
        "# Genre\n\nA **genre** _groups_ films.\n\n- Drama\n- Comedy\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nselect 1 < 2\n```"
    )
    assert isinstance(html, SafeString)
    assert "<h1>Genre</h1>" in html
    assert "<strong>genre</strong> <em>groups</em>" in html
    assert "<li>Drama</li>" in html and "<td>1</td>" in html
    assert "<pre><code>select 1 &lt; 2\n</code></pre>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java&#x73;cript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<img src=x onerror=alert(1)>",
        '<div onclick="alert(1)">x</div>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body { display: none }</style>",
        '<a href="https://example.com" onmouseover="alert(1)">x</a>',
    ],
)
def test_nothing_executable_survives(source):
    html = render_markdown(f"Before\n\n{source}\n\nAfter").lower()
    assert "before" in html and "after" in html
    for danger in ("<script", "javascript:", "alert(1)</", "onerror", "onclick", "onmouseover"):
        assert danger not in html, html
    assert "<img" not in html and "<iframe" not in html and "<style" not in html
    assert "data:text/html" not in html


def test_links_keep_safe_addresses_and_get_rel_noopener():
    html = render_markdown("[docs](https://wiki.example.com/a?b=1) and <mailto:team@example.com>")
    assert '<a href="https://wiki.example.com/a?b=1" rel="noopener noreferrer">docs</a>' in html
    assert 'href="mailto:team@example.com"' in html


@pytest.mark.parametrize("source", [None, "", "   \n "])
def test_empty_text_renders_nothing(source):
    assert render_markdown(source) == ""
