"""Tests for summarizer.sources.extract: HTML extraction, decoding, every kind of bad file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from summarizer.errors import ConfigError, InputError
from summarizer.sources.extract import decode_bytes, extract_html, looks_like_html, read_article

# Curly quotes, dashes and ellipses on purpose: they must come through extraction unchanged.
QUOTE = "“We had no choice — none at all,” said Mayor Ann Lee. ‘Really’… it's done."

ARTICLE_HTML = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Bridge closes for a year</title>
<meta property="article:published_time" content="2024-03-05T09:00:00Z">
<link rel="canonical" href="https://news.example/bridge">
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Bridge closes for a year</h1>
<p>The city council voted on Tuesday to close the old river bridge for a full year of repairs,
after engineers found cracks in two of its supporting piers.</p>
<p>{QUOTE}</p>
<p>Residents will have to use the ferry or the ring road, adding up to half an hour to the
daily commute of about twelve thousand people, according to the council's own figures.</p>
</article>
<footer>Copyright 2024 News Example. All rights reserved.</footer>
</body></html>"""

NO_ARTICLE_HTML = """<html><head><title>Index</title></head><body>
<nav><a href="/a">A</a> <a href="/b">B</a></nav><script>var x = 1;</script></body></html>"""


def test_extract_keeps_paragraphs_and_quotes_verbatim() -> None:
    article = extract_html(ARTICLE_HTML, url="https://news.example/bridge?utm=x")

    assert QUOTE in article.text
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("The city council voted")
    assert article.title == "Bridge closes for a year"
    assert article.date == "2024-03-05"
    assert article.url == "https://news.example/bridge"


def test_extract_drops_navigation_and_the_repeated_headline() -> None:
    text = extract_html(ARTICLE_HTML).text

    assert "Home" not in text
    assert "Copyright" not in text
    assert not text.startswith("Bridge closes")


def test_extract_accepts_bytes_in_a_declared_charset() -> None:
    page = ARTICLE_HTML.replace("utf-8", "windows-1252").replace("—", "-").replace("…", "...")
    page = page.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    page = page.replace("Mayor Ann Lee", "Maire Zoë Lée")

    article = extract_html(page.encode("windows-1252"), source="page.html")

    assert "Maire Zoë Lée" in article.text


@pytest.mark.parametrize(
    "html", [NO_ARTICLE_HTML, "<html></html>", "   "], ids=["nav", "bare", "blank"]
)
def test_extract_without_article_names_the_source(html: str) -> None:
    with pytest.raises(InputError, match=r"^page\.html: ") as info:
        extract_html(html, source="page.html")

    assert info.value.source == "page.html"
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!doctype html><html><p>x</p></html>", True),
        ("  \n<html>", True),
        ("<p>One.</p><p>Two.</p>", True),
        ("<div class='a'>x</div>", True),
        ("x < y and y > z", False),
        ("<3 this story", False),
        ("Plain text.\n\nMore text.", False),
    ],
    ids=["doctype", "html", "fragment", "div", "less-than", "heart", "plain"],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Grüße “quoted”".encode(), "Grüße “quoted”"),
        (b"\xef\xbb\xbfwith BOM", "with BOM"),
        ("utf-16 text".encode("utf-16"), "utf-16 text"),
        (
            "Le maire a déclaré que la décision était définitive et qu'elle était prise.".encode(
                "latin-1"
            ),
            "Le maire a déclaré que la décision était définitive et qu'elle était prise.",
        ),
    ],
    ids=["utf8", "utf8-sig", "utf16", "latin1-detected"],
)
def test_decode_bytes(data: bytes, expected: str) -> None:
    assert decode_bytes(data, source="f.txt").text == expected


# A Latin-1 article whose few accents the detector alone once took for Czech (cp1250):
# Hélène became Hélčne and coût became coűt, silently.
FRENCH = (
    "Hélène Martin, maire de la commune, a déclaré : « Le coût des travaux dépasse nos "
    "prévisions. » Elle a ajouté que le conseil déciderait mardi."
)
CZECH = (
    "Starosta města Jiří Čapek řekl, že náklady na stavbu nového mostu přes řeku jsou příliš "
    "vysoké. „Nesouhlasíme s tím, aby město platilo víc, než je nutné,“ dodal. Zastupitelé se "
    "k návrhu vrátí příští týden. Podle opozice je rozpočet podhodnocený a stavba se prodraží. "
    "Ředitel stavební firmy Petr Dvořák odmítl komentovat, zda "
    "se termín dokončení posune."
)


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (FRENCH, "latin-1", "cp1252"),
        (FRENCH, "cp1252", "cp1252"),
        (
            "Der Bürgermeister sagte: „Wir müssen handeln“, erklärte Jürgen Groß.",
            "cp1252",
            "cp1252",
        ),
        (CZECH, "cp1250", "cp1250"),  # Western is preferred, not forced
    ],
    ids=["french-latin1", "french-cp1252", "german-cp1252", "czech-cp1250"],
)
def test_undeclared_legacy_text_is_decoded_intact_and_marked_a_guess(
    text: str, codec: str, expected: str
) -> None:
    decoded = decode_bytes(text.encode(codec), source="f.txt")

    assert decoded.text == text
    assert decoded.encoding == expected
    assert decoded.guessed
    assert "f.txt" in decoded.note()
    assert expected in decoded.note()
    assert "--encoding" in decoded.note()


@pytest.mark.parametrize(
    ("data", "kwargs"),
    [
        ("Grüße".encode(), {}),
        (b"\xef\xbb\xbfGr\xc3\xbc\xc3\x9fe", {}),
        (FRENCH.encode("latin-1"), {"declared": "ISO-8859-1"}),
        (FRENCH.encode("latin-1"), {"encoding": "latin-1"}),
        (f'<html><head><meta charset="iso-8859-1"></head><p>{FRENCH}</p>'.encode("latin-1"), {}),
    ],
    ids=["utf8", "bom", "declared", "given", "meta"],
)
def test_known_encodings_are_not_guesses(data: bytes, kwargs: dict[str, str]) -> None:
    assert not decode_bytes(data, source="f.txt", **kwargs).guessed


def test_a_given_encoding_wins_and_is_checked() -> None:
    data = CZECH.encode("cp1250")

    assert decode_bytes(data, source="f.txt", encoding="cp1250").text == CZECH
    with pytest.raises(InputError, match=r"f.txt: cannot be decoded as utf-8 .*--encoding"):
        decode_bytes(data, source="f.txt", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown encoding 'klingon'"):
        decode_bytes(data, source="f.txt", encoding="klingon")


def test_read_article_says_when_it_guessed_the_encoding(tmp_path: Path) -> None:
    latin1 = tmp_path / "article.txt"
    latin1.write_bytes(FRENCH.encode("latin-1"))
    utf8 = tmp_path / "utf8.txt"
    utf8.write_text(FRENCH, encoding="utf-8")
    notes: list[str] = []

    assert read_article(latin1, notify=notes.append).text == FRENCH
    assert read_article(utf8, notify=notes.append).text == FRENCH
    assert read_article(latin1, encoding="latin-1", notify=notes.append).text == FRENCH

    assert len(notes) == 1
    assert str(latin1) in notes[0]
    assert "assumed cp1252" in notes[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "looks like a PDF"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"abc\x00\x01\x02def", "binary"),
    ],
    ids=["pdf", "zip", "nul-bytes"],
)
def test_decode_bytes_rejects_binary(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_bytes(data, source="f.bin")


# ---- read_article -------------------------------------------------------------------------


def test_read_plain_text_file(tmp_path: Path) -> None:
    file = tmp_path / "story.txt"
    file.write_text(f"  First paragraph.\r\n\r\n{QUOTE}\r\n", encoding="utf-8")

    article = read_article(file)

    assert article.text == f"First paragraph.\n\n{QUOTE}"
    assert article.id == "story.txt"
    assert article.title is None


@pytest.mark.parametrize(
    "name", ["story.html", "story.HTM", "story.txt"], ids=["html", "htm", "sniffed"]
)
def test_read_html_file_is_extracted(tmp_path: Path, name: str) -> None:
    file = tmp_path / name
    file.write_text(ARTICLE_HTML, encoding="utf-8")

    article = read_article(file)

    assert QUOTE in article.text
    assert "<p>" not in article.text
    assert article.title == "Bridge closes for a year"


def test_read_html_file_with_no_article(tmp_path: Path) -> None:
    file = tmp_path / "index.html"
    file.write_text(NO_ARTICLE_HTML, encoding="utf-8")

    with pytest.raises(InputError, match="no article text") as info:
        read_article(file)

    assert info.value.source == str(file)


def test_read_stdin() -> None:
    article = read_article("-", stdin=io.BytesIO(QUOTE.encode()))

    assert article.text == QUOTE
    assert article.id is None


def test_read_stdin_empty() -> None:
    with pytest.raises(InputError, match=r"^<stdin>: the input is empty"):
        read_article("-", stdin=io.BytesIO(b""))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file; check the path"),
        ("dir", "is a directory"),
        (b"", "the input is empty"),
        (b" \n\t\n", "blank"),
        (b"%PDF-1.4 binary", "looks like a PDF"),
        (b"\x00\x01\x02\x03" * 20, "binary file"),
        (bytes(range(128, 256)) * 2, "not UTF-8 and its encoding could not be detected"),
    ],
    ids=["missing", "directory", "empty", "blank", "pdf", "binary", "undecodable"],
)
def test_read_bad_file_names_it_and_says_how_to_fix(
    tmp_path: Path, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / "article.txt"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)

    with pytest.raises(InputError, match=message) as info:
        read_article(path)

    assert str(info.value).startswith(f"{path}: ")
    assert info.value.source == str(path)


def test_read_refuses_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 1000)

    with pytest.raises(InputError, match="limit for one article"):
        read_article(path, max_bytes=1000)
