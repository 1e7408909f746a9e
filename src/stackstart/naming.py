"""Project-name rules (DESIGN.md §3) and the identifiers derived from a name.

A name is 1-50 characters of lowercase letters, digits, ``-`` and ``_``,
starting with a letter, and must not shadow a keyword, a standard module or a
dependency in the target language (``flask``, ``test``, ``class``, ``rails``).
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from dataclasses import dataclass

from stackstart.catalog import Framework
from stackstart.errors import UsageError, quote

__all__ = ["MAX_LENGTH", "Identifiers", "check_java_package", "check_project_name", "identifiers", "suggest"]

MAX_LENGTH = 50
_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_SEPARATORS = re.compile(r"[-_]+")

_JS_RESERVED = frozenset(
    "await break case catch class const continue debugger default delete do else enum export extends false "
    "finally for function if implements import in instanceof interface let new null package private protected "
    "public return static super switch this throw true try typeof var void while with yield "
    # node core modules and names npm refuses
    "assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns "
    "domain events fs http http2 https inspector module net os path perf_hooks process punycode querystring "
    "readline repl stream string_decoder sys test timers tls trace_events tty url util v8 vm wasi "
    "worker_threads zlib node_modules favicon.ico".split()
)
_PHP_RESERVED = frozenset(
    "abstract and array as break callable case catch class clone const continue declare default do echo else "
    "elseif empty enddeclare endfor endforeach endif endswitch endwhile enum eval exit extends final finally fn "
    "for foreach function global goto if implements include include_once instanceof insteadof interface isset "
    "list match namespace new or print private protected public readonly require require_once return static "
    "switch throw trait try unset use var while xor yield int float bool string true false null void iterable "
    "object mixed never parent self app database tests".split()
)
_RUBY_RESERVED = frozenset(
    # keywords, and core or Rails constants a top-level module of that name would reopen
    "begin end alias and break case class def defined do else elsif ensure false for if in module next nil "
    "not or redo rescue retry return self super then true undef unless until when while yield "
    "Object String Array Hash Integer Float Kernel Module Class Comparable Enumerable Math Random Exception "
    "Struct Time Date File Dir IO Process Thread Set Symbol Proc Method Range Regexp Signal Encoding "
    "Rails Rack Gem Bundler Test Application ActiveRecord ActiveSupport ActionPack ActionView "
    "ActionController ActionMailer ActiveJob ActiveModel ActiveStorage ActionCable Minitest Puma".split()
)
_JAVA_KEYWORDS = frozenset(
    "abstract assert boolean break byte case catch char class const continue default do double else enum "
    "extends final finally float for goto if implements import instanceof int interface long native new "
    "package private protected public return short static strictfp super switch synchronized this throw "
    "throws transient try void volatile while true false null var record yield sealed permits exports "
    "module open opens provides requires to transitive uses with _".split()
)
_CSHARP_RESERVED = frozenset({"System", "Microsoft", "Windows", "Program", "Aspnet", "Dotnet"})
_PYTHON_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(sys.stdlib_module_names)
_JAVA_PACKAGE = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+")


@dataclass(frozen=True)
class Identifiers:
    """Names derived from one project name, one per target language."""

    name: str  # the project name itself; also the npm package name
    package: str  # Python package
    namespace: str  # PHP / C# namespace and Ruby module: StudlyCase
    java_package: str
    title: str  # for page titles and READMEs

    def as_dict(self) -> dict[str, str]:
        """Placeholder values for catalog commands."""
        return {"name": self.name, "package": self.package, "namespace": self.namespace}


def identifiers(name: str, java_package: str | None = None) -> Identifiers:
    """Derive every per-language identifier from a valid project name."""
    words = [w for w in _SEPARATORS.split(name) if w]
    return Identifiers(
        name=name,
        package=name.replace("-", "_"),
        namespace="".join(w[:1].upper() + w[1:] for w in words),
        java_package=java_package or "com.example." + "".join(words),
        title=" ".join(w[:1].upper() + w[1:] for w in words),
    )


def _reason(name: str, framework: Framework | None) -> str | None:
    """Why ``name`` is not acceptable, or None."""
    if not name:
        return "is empty"
    if len(name) > MAX_LENGTH:
        return f"is {len(name)} characters long; the limit is {MAX_LENGTH}"
    if not name[0].isalpha() or not name[0].islower():
        return "must start with a lowercase letter" if name[0].isalpha() else "must start with a letter"
    if not _NAME.fullmatch(name):
        bad = sorted({c for c in name if not re.fullmatch(r"[a-z0-9_-]", c)})
        return "may only contain lowercase letters a-z, digits, - and _ (not " + ", ".join(map(_shown, bad)) + ")"
    if framework is None:
        return None
    ids = identifiers(name)
    if name in framework.reserved_names or ids.package in framework.reserved_names:
        return (
            f"would clash with {_article(framework.title)} {framework.title} dependency or project folder of that name"
        )
    checks = {
        "python": (ids.package in _PYTHON_RESERVED, f"Python keyword or standard module {ids.package!r}"),
        "javascript": (name in _JS_RESERVED, "JavaScript reserved word or Node.js core module"),
        "php": (ids.namespace.lower() in _PHP_RESERVED, f"PHP reserved word {ids.namespace!r}"),
        "ruby": (
            name in _RUBY_RESERVED or ids.namespace in _RUBY_RESERVED,
            f"Ruby keyword or core constant {ids.namespace!r}",
        ),
        "java": (
            any(part in _JAVA_KEYWORDS for part in ids.java_package.split(".")),
            "Java keyword in the package name",
        ),
        "csharp": (ids.namespace in _CSHARP_RESERVED, f"C# framework namespace {ids.namespace!r}"),
    }
    clash, what = checks.get(framework.language, (False, ""))
    return f"would shadow the {what}" if clash else None


def _shown(char: str) -> str:
    """A character for a message; look-alikes (a Cyrillic letter for "s") and invisible ones get their code point."""
    if char.isascii() and char.isprintable():
        return repr(char)
    return f"{quote(char)} (U+{ord(char):04X})"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _ascii(name: str) -> str | None:
    """``name`` with accents dropped (café → cafe); None when a letter has no ASCII form (Cyrillic, Greek…)."""
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    if any(char.isalnum() and not char.isascii() for char in kept):
        return None  # guessing a transliteration would suggest a different name
    return kept


def suggest(name: str, framework: Framework | None = None) -> str | None:
    """A valid name close to ``name``, or None when nothing sensible exists."""
    plain = _ascii(name)
    if plain is None:
        return None
    candidate = re.sub(r"[^a-z0-9_-]+", "-", plain.strip().lower())
    candidate = re.sub(r"-{2,}", "-", candidate)
    lead = re.match(r"[0-9_-]*", candidate)
    prefix = lead.group(0) if lead else ""
    candidate = candidate[len(prefix) :] + prefix.strip("-_")
    candidate = candidate[:MAX_LENGTH].strip("-_")
    if candidate and _reason(candidate, framework) is not None:
        candidate = f"{candidate[: MAX_LENGTH - 4]}-app"
    if candidate and candidate != name and _reason(candidate, framework) is None:
        return candidate
    return None


def check_project_name(name: str, framework: Framework | None = None) -> None:
    """Raise :class:`UsageError` with a one-line fix-it message if ``name`` is not usable."""
    reason = _reason(name, framework)
    if reason is None:
        return
    hint = suggest(name, framework)
    tail = f' (try "{hint}")' if hint else ""
    raise UsageError(f"project name {quote(name)} {reason}{tail}")


def check_java_package(package: str) -> None:
    """Raise :class:`UsageError` unless ``package`` is a usable Java base package."""
    if not _JAVA_PACKAGE.fullmatch(package):
        raise UsageError(
            f"Java package {quote(package)} must be two or more dot-separated lowercase identifiers "
            '(like "com.example.shop")'
        )
    bad = [part for part in package.split(".") if part in _JAVA_KEYWORDS]
    if bad:
        raise UsageError(f'Java package {quote(package)} uses the Java keyword "{bad[0]}" (rename that part)')
    if package.split(".")[0] in {"java", "javax"}:
        raise UsageError(f'Java package {quote(package)} may not start with "java" or "javax" (try "com.example")')
