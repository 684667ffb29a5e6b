import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.importing import ImportRefused, Source, import_texts, make_title, sources_from_paths
from articles.models import Article

SEEDS = Path(settings.BASE_DIR) / "seeds"


def test_seed_article_gets_date_and_title(project):
    report = import_texts(project, sources_from_paths([SEEDS]))
    [article] = report.created
    assert article.published == dt.date(2021, 10, 28)
    assert article.text.startswith("South Korean Foreign Minister Jong Ui Young")
    assert "date 2021-10-28" not in article.text
    assert article.title.startswith("South Korean Foreign Minister Jong Ui Young on Thursday")
    assert len(article.title) <= 120
    assert article.external_id == "000_f0a2dd0e587ec461"
    assert article.length == len(article.text)


def test_title_is_the_first_sentence():
    assert make_title("Seoul counts on Moscow. It hopes for more.") == "Seoul counts on Moscow"
    assert make_title("“We are partners!” he said.") == "“We are partners!”"


def test_crlf_and_nfc_are_normalised(project):
    data = "date 2021-01-02 Jose\u0301 spoke.\r\n\r\nSecond line.".encode()
    [article] = import_texts(project, [Source("a.txt", data)]).created
    assert article.text == "José spoke.\n\nSecond line."
    assert "\r" not in article.text


def test_duplicate_text_is_skipped_and_reported(project):
    import_texts(project, [Source("first.txt", b"Same text.")])
    report = import_texts(project, [Source("again.txt", b"Same text.\r\n"), Source("new.txt", b"Other text.")])
    assert [a.external_id for a in report.created] == ["new"]
    assert report.skipped == ["again.txt: same text as article “first”, skipped"]
    assert Article.objects.filter(project=project).count() == 2


def test_bad_encoding_refuses_the_whole_batch(project):
    with pytest.raises(ImportRefused) as refused:
        import_texts(project, [Source("good.txt", b"Fine text."), Source("latin1.txt", "caf\xe9".encode("latin-1"))])
    assert refused.value.errors == ["latin1.txt: not UTF-8 text (byte 3 cannot be read)"]
    assert not Article.objects.exists()


def test_empty_and_oversize_files_are_named(project, settings):
    settings.FACTMARK_MAX_IMPORT_BYTES = 20
    with pytest.raises(ImportRefused) as refused:
        import_texts(project, [Source("empty.txt", b"  \n"), Source("big.txt", b"x" * 21), Source("ok.txt", b"ok")])
    assert refused.value.errors == [
        "empty.txt: the file is empty",
        "big.txt: 21 bytes is larger than the limit of 20 bytes",
    ]
    assert not Article.objects.exists()


def test_invalid_leading_date_is_refused(project):
    with pytest.raises(ImportRefused, match="bad.txt: the leading date is not a real date"):
        import_texts(project, [Source("bad.txt", b"date 2021-13-45 Text.")])


def test_same_file_name_gets_a_fresh_external_id(project):
    import_texts(project, [Source("story.txt", b"One.")])
    [article] = import_texts(project, [Source("dir/story.txt", b"Two.")]).created
    assert article.external_id == "story-2"


def test_command_imports_folder_with_progress(project, capsys):
    call_command("import_articles", project.slug, str(SEEDS))
    out = capsys.readouterr().out
    assert "[1/1]" in out and "Imported 1 article(s), skipped 0." in out
    call_command("import_articles", project.slug, str(SEEDS))
    assert "skipped 1" in capsys.readouterr().out
    assert project.articles.count() == 1


def test_command_refuses_and_saves_nothing(project, tmp_path, capsys):
    (tmp_path / "good.txt").write_text("Good.")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_articles", project.slug, str(tmp_path))
    assert "bad.txt: not UTF-8 text" in capsys.readouterr().err
    assert not Article.objects.exists()


def test_command_unknown_project(db):
    with pytest.raises(CommandError, match="No project with slug “nope”"):
        call_command("import_articles", "nope", str(SEEDS))
