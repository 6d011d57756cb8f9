"""Strict readers for user-supplied JSON and YAML: the one place that turns text into data.

Every loader of user input (the CLI, batch, the web UI's import, ``whatif --set``, the trainer
tools and exercise packs) goes through ``load_yaml`` and ``load_json``. They refuse, with the
line and column, what a profile never needs and what could hurt the server or silently change a
value:

- YAML anchors and aliases (``&a``, ``*a``): a few hundred bytes of aliases can expand to billions
  of nodes (the "alias bomb"); a profile has no use for them.
- YAML tags (``!!timestamp``, ``!!python/...``, ``!local``): they choose a constructor by name
  and several of PyYAML's crash on odd input.
- YAML 1.1's surprising scalars: only ``true``/``false``, ``null``/``~``, decimal integers and
  decimal floats are read as such (the YAML 1.2 core schema). ``yes``, ``off``, ``0x10``,
  ``0o17``, ``1:30`` (sexagesimal), ``1_000``, ``.inf`` and ``2024-01-01`` stay text, so a field
  that wants a number or a yes/no says so instead of receiving a guess (dates are read from text
  by the profile's own validation).
- Duplicate keys in a mapping or JSON object (the last one would silently win).
- Keys that are not plain text, documents nested more than ``MAX_DEPTH`` deep or holding more
  than ``MAX_NODES`` nodes, and parses that take longer than ``MAX_SECONDS``.

Refusals are ``InputRefused`` (English and Chinese message, line and column); YAML syntax errors
stay ``yaml.YAMLError``.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

MAX_DEPTH = 64
MAX_NODES = 100_000  # keys count too: 500 profiles (the import limit) are ~65,000
MAX_SECONDS = 20.0  # a backstop: the node limit bounds parsing first
KEY_SHOWN = 40


class InputRefused(ValueError):
    """A document was refused on purpose; ``en``/``zh`` say why, ``line``/``column`` where."""

    def __init__(self, en: str, zh: str, line: int | None = None, column: int | None = None):
        self.en = en
        self.zh = zh
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line else ""
        super().__init__(en + where)

    def where(self, lang: str = "en") -> str:
        if not self.line:
            return ""
        if lang == "zh":
            return f"（第 {self.line} 行第 {self.column} 列）"
        return f" at line {self.line}, column {self.column}"


def short(text: Any, limit: int = KEY_SHOWN) -> str:
    """``text`` as a short quoted excerpt (never more than ``limit`` characters of it)."""
    s = str(text)
    s = s if len(s) <= limit else s[: limit - 1] + "…"
    return repr(s)


def _refuse(en: str, zh: str, mark: Any) -> InputRefused:
    if mark is None:
        return InputRefused(en, zh)
    return InputRefused(en, zh, mark.line + 1, mark.column + 1)


# --------------------------------------------------------------------------- YAML


class _Resolver(BaseResolver):
    """The YAML 1.2 core schema's plain scalars, without YAML 1.1's extras."""


_Resolver.yaml_implicit_resolvers = {}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


class _Constructor(SafeConstructor):
    """SafeConstructor with decimal-only numbers and duplicate keys refused."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        return int(self.construct_scalar(node), 10)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        return float(self.construct_scalar(node))

    def construct_yaml_bool(self, node: ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() == "true"

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _refuse(
                    "a key must be plain text, not a list or a mapping",
                    "键必须是普通文字，不能是列表或映射",
                    key_node.start_mark,
                )
            key = self.construct_object(key_node)
            if key in seen:
                raise _refuse(
                    f"the key {short(key)} appears twice in the same mapping",
                    f"同一层中键 {short(key)} 出现了两次",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Constructor.yaml_constructors = dict(SafeConstructor.yaml_constructors)
for _tag, _fn in (
    ("tag:yaml.org,2002:int", _Constructor.construct_yaml_int),
    ("tag:yaml.org,2002:float", _Constructor.construct_yaml_float),
    ("tag:yaml.org,2002:bool", _Constructor.construct_yaml_bool),
):
    _Constructor.yaml_constructors[_tag] = _fn


def _shown_tag(tag: str) -> str:
    """A tag as the user wrote it (``!!timestamp``, not ``tag:yaml.org,2002:timestamp``)."""
    core = "tag:yaml.org,2002:"
    return "!!" + tag.removeprefix(core) if tag.startswith(core) else tag


class _Composer(Composer):
    """Composes nodes, refusing anchors, aliases and explicit tags, bounded in depth and size."""

    def compose_document(self) -> Any:
        self._depth = 0
        self._nodes = 0
        self._deadline = time.monotonic() + MAX_SECONDS
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _refuse(
                "YAML anchors and aliases (& and *) are not accepted; write each value out",
                "不接受 YAML 锚点和别名（& 与 *），请直接写出每个值",
                event.start_mark,
            )
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag is not None:
            tag = short(_shown_tag(event.tag), 30)
            raise _refuse(
                f"YAML tags such as {tag} are not accepted; "
                "write the value plainly (in quotes if it is text)",
                f"不接受 YAML 标签（如 {tag}），请直接写出取值（文字可加引号）",
                event.start_mark,
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _refuse(
                f"the document has more than {MAX_NODES:,} values; a profile needs far fewer",
                f"文档包含超过 {MAX_NODES:,} 个值，远超一份档案所需",
                event.start_mark,
            )
        if self._nodes % 1024 == 0 and time.monotonic() > self._deadline:
            raise _refuse(
                f"the document took more than {MAX_SECONDS:.0f} s to read",
                f"读取文档超过 {MAX_SECONDS:.0f} 秒",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _refuse(
                    f"the document is nested more than {MAX_DEPTH} levels deep",
                    f"文档嵌套超过 {MAX_DEPTH} 层",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class StrictLoader(Reader, Scanner, Parser, _Composer, _Constructor, _Resolver):
    """The one YAML loader for user input (pure Python, so every hook above applies)."""

    def __init__(self, stream: Any) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


try:  # libyaml scans and parses 5x faster; composing (where the checks are) stays ours
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    FastStrictLoader: Any = StrictLoader
else:

    class FastStrictLoader(_Composer, CParser, _Constructor, _Resolver):  # type: ignore[no-redef]
        """StrictLoader on libyaml's events: our composer (checks), constructor and resolver."""

        def __init__(self, stream: Any) -> None:
            CParser.__init__(self, stream)
            _Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)


def load_yaml(text: str) -> Any:
    """Parse one YAML document strictly (see the module's docstring); None for an empty one.

    Raises InputRefused, yaml.YAMLError (syntax), RecursionError or ValueError.
    """
    loader = FastStrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- JSON


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputRefused(
                f"the key {short(key)} appears twice in the same object",
                f"同一对象中键 {short(key)} 出现了两次",
            )
        out[key] = value
    return out


def load_json(text: str) -> Any:
    """Parse JSON, refusing duplicate keys (InputRefused) and ``NaN``/``Infinity`` (ValueError).

    Raises json.JSONDecodeError (syntax), InputRefused, RecursionError or ValueError.
    """
    return json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise InputRefused(f"{name} is not a number JSON allows", f"{name} 不是 JSON 允许的数字")
