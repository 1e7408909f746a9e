"""Project-name rules and derived identifiers."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
import yaml

from stackstart import catalog, naming
from stackstart.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "framework", "message", "hint"),
    [
        ("2fast", "flask", "must start with a letter", "fast2"),
        ("Shop", "flask", "must start with a lowercase letter", "shop"),
        ("my shop", "flask", "may only contain lowercase letters", "my-shop"),
        ("my.shop", "flask", "may only contain lowercase letters", "my-shop"),
        ("sh%p", "flask", "may only contain lowercase letters", "sh-p"),
        ("-shop", "flask", "must start with a letter", "shop"),
        ("_shop", "flask", "must start with a letter", "shop"),
        ("", "flask", "is empty", None),
        ("a" * 51, "flask", "is 51 characters long; the limit is 50", "a" * 50),
        ("flask", "flask", "would clash with a Flask dependency", "flask-app"),
        ("werkzeug", "flask", "would clash with a Flask dependency", "werkzeug-app"),
        ("test", "flask", "would clash with a Flask dependency", "test-app"),
        ("class", "flask", "Python keyword or standard module", "class-app"),
        ("email", "flask", "Python keyword or standard module", "email-app"),
        ("json", "django", "Python keyword or standard module", "json-app"),
        ("django", "django", "would clash with a Django dependency", "django-app"),
        ("http", "express", "JavaScript reserved word or Node.js core module", "http-app"),
        ("express", "express", "would clash with an Express dependency", "express-app"),
        ("list", "laravel", "PHP reserved word", "list-app"),
        ("rails", "rails", "would clash with a Ruby on Rails dependency", "rails-app"),
        ("string", "rails", "Ruby keyword or core constant", "string-app"),
        ("class", "springboot", "Java keyword", "class-app"),
        ("system", "aspnet", "would clash with an ASP.NET Core dependency", "system-app"),
        ("café", "flask", '(not "é" (U+00E9))', "cafe"),
        ("Éclair", "flask", "must start with a lowercase letter", "eclair"),
        ("naïve-shop", "django", "may only contain lowercase letters a-z", "naive-shop"),
        ("\ufb01sh", "flask", "may only contain lowercase letters a-z", "fish"),  # the ligature fi
        ("\u0455hop", "flask", '(not "\u0455" (U+0455))', None),  # Cyrillic dze looks like s: no guess
        ("\u0440\u0443\u0441", "flask", "may only contain lowercase letters a-z", None),  # Cyrillic word
        ("\u03c9mega", "flask", "may only contain lowercase letters a-z", None),  # Greek omega
        ("shop\nname", "flask", r'project name "shop\nname"', "shop-name"),
        ("shop\x1b[31m", "flask", r"\x1b", "shop-31m"),
    ],
)
def test_bad_names_are_refused_with_a_hint(name: str, framework: str, message: str, hint: str | None) -> None:
    with pytest.raises(UsageError) as caught:
        naming.check_project_name(name, catalog.get(framework))
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert text.isprintable()
    if hint is None:
        assert "try" not in text
    else:
        assert f'(try "{hint}")' in text
        naming.check_project_name(hint, catalog.get(framework))  # the hint itself is valid


@pytest.mark.parametrize("name", ["shop", "my-shop", "my_shop", "shop2", "a", "a" * 50, "x-1_y"])
@pytest.mark.parametrize("framework", [f.key for f in catalog.FRAMEWORKS])
def test_good_names_pass_everywhere(name: str, framework: str) -> None:
    naming.check_project_name(name, catalog.get(framework))


def test_identifiers() -> None:
    ids = naming.identifiers("my-shop_2")
    assert ids.package == "my_shop_2"
    assert ids.namespace == "MyShop2"
    assert ids.java_package == "com.example.myshop2"
    assert ids.title == "My Shop 2"
    assert ids.as_dict() == {"name": "my-shop_2", "package": "my_shop_2", "namespace": "MyShop2"}


@pytest.mark.parametrize("name", ["shop", "my-shop", "my_shop_2", "a-b-c", "x1-y2", "web-api_v2"])
def test_copier_yml_derives_the_same_identifiers(name: str) -> None:
    """copier.yml recomputes package_name and project_title for plain `copier copy`; both must agree."""
    questions = yaml.safe_load((ROOT / "copier.yml").read_text())
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)  # noqa: S701 - not HTML
    ids = naming.identifiers(name)
    assert env.from_string(questions["package_name"]["default"]).render(project_name=name) == ids.package
    assert env.from_string(questions["project_title"]["default"]).render(project_name=name) == ids.title
    assert env.from_string(questions["java_package"]["default"]).render(project_name=name) == ids.java_package


@pytest.mark.parametrize(
    ("package", "message"),
    [
        ("shop", "two or more dot-separated"),
        ("com.Example.shop", "two or more dot-separated"),
        ("com.example.", "two or more dot-separated"),
        ("com..shop", "two or more dot-separated"),
        ("com.example.class", 'Java keyword "class"'),
        ("java.shop", 'may not start with "java"'),
        ("com.1shop", "two or more dot-separated"),
    ],
)
def test_bad_java_packages(package: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        naming.check_java_package(package)


def test_good_java_package() -> None:
    naming.check_java_package("com.example.shop")
    naming.check_java_package("org.acme.web_api")
