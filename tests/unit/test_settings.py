"""Settings come from flags > env DOCQA_* > config file > defaults, and unknown keys are errors."""

import pytest

from docqa.errors import ConfigError
from docqa.settings import describe, load_settings


def test_defaults_have_a_description_on_every_field():
    rows = describe(load_settings(environ={}))
    assert rows, "no settings described"
    assert all(doc for _, _, doc in rows), [name for name, _, doc in rows if not doc]


def test_precedence_flags_over_env_over_file(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[ingest]\nchunk_tokens = 100\noverlap_tokens = 10\n[retrieval]\nk = 7\n")
    env = {"DOCQA_INGEST__CHUNK_TOKENS": "150"}
    s = load_settings({"ingest": {"overlap_tokens": 20}}, config_path=cfg, environ=env)
    assert s.ingest.chunk_tokens == 150  # env beats file
    assert s.ingest.overlap_tokens == 20  # flag beats file
    assert s.retrieval.k == 7  # file beats default


def test_config_file_from_env_var(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('index = "/tmp/somewhere"\n')
    s = load_settings(environ={"DOCQA_CONFIG": str(cfg)})
    assert str(s.index) == "/tmp/somewhere"


@pytest.mark.parametrize(
    "env, needle",
    [
        ({"DOCQA_NOPE": "1"}, "DOCQA_NOPE"),
        ({"DOCQA_INGEST__NOPE": "1"}, "DOCQA_INGEST__NOPE"),
        ({"DOCQA_NOPE__CHUNK_TOKENS": "1"}, "DOCQA_NOPE__CHUNK_TOKENS"),
    ],
)
def test_unknown_env_key_is_a_warning_that_names_it(env, needle, capsys, monkeypatch):
    monkeypatch.setattr("docqa.settings._warned", set())
    s = load_settings(environ={**env, "DOCQA_RETRIEVAL__K": "9"})
    assert s.retrieval.k == 9  # the known ones still apply
    load_settings(environ=env)
    assert capsys.readouterr().err.count(needle) == 1  # once


def test_unknown_config_key_is_named(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[ingest]\nchunk_size = 100\n")
    with pytest.raises(ConfigError, match="ingest.chunk_size"):
        load_settings(config_path=cfg, environ={})


@pytest.mark.parametrize(
    "toml, name",
    [("[answer]\nbugdet = 900\n", "answer.bugdet"), ("chunk_tokens = 5\n", "chunk_tokens"), ("[nope]\nk = 1\n", "nope")],
)
def test_unknown_config_key_in_docqa_words(tmp_path, toml, name):
    cfg = tmp_path / "config.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(config_path=cfg, environ={})
    assert str(info.value).startswith(f"unknown setting '{name}' in config file {cfg}")
    assert "Extra inputs" not in str(info.value)


def test_unknown_config_key_suggests_the_close_one(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[answer]\nbugdet = 900\n")
    with pytest.raises(ConfigError, match="did you mean 'answer.budget'"):
        load_settings(config_path=cfg, environ={})


def test_bad_value_is_named():
    with pytest.raises(ConfigError, match="ingest.chunk_tokens"):
        load_settings(environ={"DOCQA_INGEST__CHUNK_TOKENS": "lots"})


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_path=tmp_path / "absent.toml", environ={})
