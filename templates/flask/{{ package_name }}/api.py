"""The JSON API's plumbing: /openapi.json, the /docs viewer and error bodies.

flask-smorest builds the OpenAPI document from the blueprints' marshmallow
schemas, and webargs validates requests with the same schemas, so the document
cannot drift from the code. /docs is Swagger UI, served from the files of the
flask-swagger-ui package (installed from PyPI): the page loads nothing from
another host.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import Any, TypeVar

import flask_smorest
import marshmallow as ma
from flask import Flask, Response, current_app, send_from_directory
from flask.typing import ResponseReturnValue
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import HTTPException

from .core import error_response

SWAGGER_UI_FILES = str(files("flask_swagger_ui") / "dist")

View = TypeVar("View", bound=Callable[..., Any])


class ErrorSchema(ma.Schema):
    """Every error answer but 422."""

    error = ma.fields.String(required=True)


class ValidationErrorSchema(ma.Schema):
    """422: the problems of each field of the request, by field name."""

    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        required=True,
    )


class JsonParser(FlaskParser):  # type: ignore[misc]
    """A JSON body must be sent as JSON: anything else is 415, before validation."""

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        if not is_json_request(req):
            abort(415)
        return super().load_json(req, schema)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """A flask-smorest blueprint whose request bodies must be JSON."""

    ARGUMENTS_PARSER = JsonParser()


class Api(flask_smorest.Api):  # type: ignore[misc]
    """flask-smorest's Api with this project's error bodies."""

    ERROR_SCHEMA = ErrorSchema
    # Each operation lists the errors it can answer; no catch-all "default".
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException) -> ResponseReturnValue:
        return error_response(error)

    def _register_responses(self) -> None:
        super()._register_responses()
        # 422 answers carry field errors, not {"error": ...}.
        response = {"description": "Invalid request", "schema": ValidationErrorSchema}
        prepare_response(response, self.spec, self.DEFAULT_RESPONSE_CONTENT_TYPE)
        self.spec.components.response("UNPROCESSABLE_ENTITY", response, lazy=True)


def open_access(view: View) -> View:
    """Mark a view that changes data as open to anyone (a project without auth)."""
    return view


def get_api(app: Flask | None = None) -> Api:
    """The Api of ``app`` (default: the current app), to register blueprints on."""
    app = app or current_app
    api: Api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api


def swagger_ui_file(filename: str) -> Response:
    """Swagger UI's scripts and styles, from the installed package."""
    return send_from_directory(SWAGGER_UI_FILES, filename)


def init_app(app: Flask) -> None:
    """Serve /openapi.json and /docs."""
    app.config.update(
        API_TITLE=app.config["PROJECT_TITLE"],
        API_VERSION="0.1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/docs/assets/",
        # validatorUrl: no badge fetched from the Swagger validator's site.
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
    )
    app.add_url_rule("/docs/assets/<path:filename>", "docs_assets", swagger_ui_file)
    Api(app)
