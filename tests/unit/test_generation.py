"""The generator package's seams: every backend (and the test fake) satisfies the protocol, and the
CLI starts without loading a model library."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from docqa.models.generation.base import Generator
from docqa.models.generation.hf import TransformersGenerator
from docqa.models.generation.http import HttpGenerator
from docqa.models.generation.llamacpp import LlamaCppGenerator
from tests.unit.fakes import FakeGenerator

# What a runtime-checkable protocol's isinstance looks at: its methods and its data members.
_METHODS = [n for n, v in vars(Generator).items() if inspect.isfunction(v) and not n.startswith("_")]
_DATA = sorted(Generator.__annotations__)


def test_the_fake_generator_satisfies_the_protocol():
    assert isinstance(FakeGenerator("an answer"), Generator)


@pytest.mark.parametrize("backend", [LlamaCppGenerator, TransformersGenerator, HttpGenerator])
def test_every_backend_class_has_the_protocol_methods(backend):
    """Checked on the class, so no model is loaded: each protocol method exists with the same parameters."""
    assert "generate" in _METHODS and "stream" in _METHODS and len(_METHODS) == 7
    for name in _METHODS:
        method = getattr(backend, name, None)
        assert callable(method), f"{backend.__name__} lacks {name}"
        wanted = list(inspect.signature(getattr(Generator, name)).parameters)
        assert list(inspect.signature(method).parameters) == wanted, f"{backend.__name__}.{name}"
    assert isinstance(backend.backend, str)


def test_an_instance_with_every_member_is_a_generator_and_one_without_is_not():
    gen = object.__new__(LlamaCppGenerator)  # no __init__: nothing loaded
    assert not isinstance(gen, Generator), "name and context_tokens are set by __init__"
    gen.name, gen.context_tokens = "m", 1024
    assert isinstance(gen, Generator)
    assert _DATA == ["backend", "batch_size", "context_tokens", "name"]


def test_importing_the_cli_loads_no_model_library():
    code = "import docqa.cli, sys; print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'faiss', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
