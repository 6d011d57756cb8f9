"""The JSON and YAML parsers' own messages in Chinese, for the Chinese UI (issue 13).

``advisor.io.parse_document`` gives every refusal in both languages, but the parsers' own
explanation of a syntax error (``Expecting ',' delimiter``, ``mapping values are not allowed
here``) is English text from Python's ``json`` module and PyYAML, kept verbatim inside the Chinese
message. Here those phrases are put into Chinese, with the usual cause where there is one. A
phrase not listed stays as it is (in English rather than a guess); the line and column, which
the message already gives in Chinese, are untouched.
"""

from __future__ import annotations

import re

# Python's json module (json.decoder): msg of JSONDecodeError.
_JSON = {
    "Expecting property name enclosed in double quotes": (
        "应为用双引号括起的键名，常见原因是多了逗号，或键名没有加双引号"
    ),
    "Expecting ':' delimiter": "应为冒号“:”",
    "Expecting ',' delimiter": "应为逗号“,”，常见原因是少了逗号或括号没有闭合",
    "Expecting value": "应为一个值，常见原因是多了逗号，或 true、false、null 拼写有误",
    "Extra data": "JSON 结束后还有多余的内容",
    "Unterminated string starting at": "字符串没有结束：缺少后引号",
    "Invalid control character at": "字符串中有不允许的控制字符，如换行或制表符",
    "Invalid \\escape": "无效的转义字符：反斜杠 \\ 后的字符不被允许",
    "Invalid \\uXXXX escape": "无效的 \\uXXXX 转义",
}

_COLON = "此处不能出现“键: 值”，常见原因是冒号后的内容含冒号，应加引号"

# PyYAML's scanner, parser and composer: ``problem`` of a MarkedYAMLError.
_YAML = {
    "mapping values are not allowed in this context": _COLON,
    "mapping values are not allowed here": _COLON,
    "did not find expected key": "找不到应有的键，常见原因是缩进不一致",
    "did not find expected node content": "找不到应有的内容",
    "did not find expected '-' indicator": "找不到应有的列表符号“-”，常见原因是缩进不一致",
    "did not find expected ',' or ']'": "找不到应有的“,”或“]”，方括号可能没有闭合",
    "did not find expected ',' or '}'": "找不到应有的“,”或“}”，花括号可能没有闭合",
    "did not find expected <document start>": "找不到文档的开始标记",
    "found unexpected end of stream": "文件意外结束，常见原因是引号或括号没有闭合",
    "found unknown escape character": "出现未知的转义字符：双引号内的反斜杠 \\ 后的字符不被允许",
    "found character that cannot start any token": "出现了不能作为开头的字符，如制表符、@ 或 `",
    "found incompatible YAML document": "YAML 文档版本不兼容",
    "could not find expected ':'": "找不到应有的冒号“:”",
    "found undefined alias": "出现未定义的别名",
    "found unexpected ':'": "出现了意外的冒号“:”",
    "found a tab character that violates indentation": "制表符破坏了缩进，请用空格缩进",
    "found a tab character where an indentation space is expected": "应为空格缩进处出现了制表符",
    "expected a comment or a line break": "此处应为注释或换行",
    "expected alphabetic or numeric character": "此处应为字母或数字",
    "cannot be parsed": "无法解析",
}

_PHRASES = sorted({**_JSON, **_YAML}.items(), key=lambda kv: -len(kv[0]))
_EXPECTED = re.compile(r"expected (<[^>]+>|'[^']*'), but found (<[^>]+>|'[^']*')")


def zh_parser_message(text: str) -> str:
    """``text`` (a Chinese message that may quote a parser's English) with the parser's words in
    Chinese; anything not recognised is left as it is."""
    for en, zh in _PHRASES:
        if en in text:
            text = text.replace(en, zh)
    return _EXPECTED.sub(lambda m: f"此处应为 {m.group(1)}，实际遇到 {m.group(2)}", text)
