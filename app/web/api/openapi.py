"""The OpenAPI 3.1 document for /api/v1 and /healthz, served at /api/v1/openapi.json.

Written as Python so the enums come from app.domain.vocabulary and cannot drift. Tests
keep it honest: every route under /api/v1 (and /healthz) must be documented with its
methods, every documented path must exist, and real responses must match the schemas
below, which forbid undocumented fields (additionalProperties: false).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from app.domain.vocabulary import (
    AspectType,
    DelegationKind,
    DivisionKind,
    MarkingMethod,
    ProjectKind,
    SchemeStatus,
    Tier,
    Visibility,
)

Json = dict[str, Any]
API_VERSION = "1.0.0"


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _enum(values: type[Enum], description: str) -> Json:
    return {"type": "string", "enum": [v.value for v in values], "description": description}


def _object(properties: Json, description: str = "") -> Json:
    """A closed object: every property required, nothing else allowed."""
    schema: Json = {"type": "object", "properties": properties,
                    "required": list(properties), "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: Json) -> Json:
    return {"anyOf": [schema, {"type": "null"}]}


_ID = {"type": "integer", "minimum": 1}
_COUNT = {"type": "integer", "minimum": 0}
_TEXT = {"type": "string"}
_MARK = {"type": "number", "minimum": 0}

_COMPETITION_FIELDS: Json = {
    "id": _ID,
    "name": _TEXT,
    "tier": _enum(Tier, "world_selection 世赛选拔, national_i/ii 国家级一类/二类, "
                        "municipal_i/ii 市级一类/二类, district 区级, enterprise 企业/院校级"),
    "year": {"type": "integer"},
    "start_date": {"type": ["string", "null"], "format": "date"},
    "end_date": {"type": ["string", "null"], "format": "date"},
    "host": _TEXT,
}

_PROJECT_FIELDS: Json = {
    "id": _ID,
    "code": _TEXT,
    "name": _TEXT,
    "occupation_name": _TEXT,
    "occupation_code": {"type": "string", "description": "e.g. 6-18-01-01; may be empty"},
    "kind": _enum(ProjectKind, "worldskills_selection 世赛选拔项目, national_selected "
                               "国赛精选项目, featured 特色/展示/体验项目"),
    "team_size": {"type": "integer", "minimum": 1, "description": "1 = individual"},
    "marking_method": _enum(MarkingMethod, "worldskills (M/J aspects) or classic "
                                           "(theory and practical)"),
}

SCHEMAS: Json = {
    "Error": _object({"error": _object({
        "code": {"type": "string", "description": "stable: not_found, bad_request, "
                                                  "method_not_allowed, rate_limited, error…"},
        "message": {"type": "string", "description": "for people, in the request's language"},
    })}, "Every error has this shape."),
    "Health": {
        "type": "object",
        "properties": {"status": {"type": "string", "enum": ["ok", "error"]},
                       "database": {"type": "string"}},
        "required": ["status"],
        "additionalProperties": False,
    },
    "Counts": _object({"projects": _COUNT, "delegations": _COUNT, "competitors": _COUNT,
                       "judges": _COUNT}),
    "CompetitionSummary": _object({**_COMPETITION_FIELDS, "counts": _ref("Counts")}),
    "CompetitionList": _object({"competitions": {"type": "array",
                                                 "items": _ref("CompetitionSummary")}}),
    "Venue": _object({"id": _ID, "name": _TEXT, "address": _TEXT}),
    "Zone": _object({"id": _ID, "name": _TEXT,
                     "is_main": {"type": "boolean", "description": "主赛区 (true) or 分赛区"},
                     "venues": {"type": "array", "items": _ref("Venue")}}),
    "Division": _object({"id": _ID,
                         "kind": _enum(DivisionKind, "employee 职工组, student 学生组"),
                         "competitors": _COUNT}),
    "ProjectSummary": _object({**_PROJECT_FIELDS, "venue_id": {"type": ["integer", "null"]},
                               "competitors": _COUNT,
                               "divisions": {"type": "array", "items": _ref("Division")}}),
    "Delegation": _object({"id": _ID, "name": _TEXT,
                           "kind": _enum(DelegationKind, "district, industry, enterprise, "
                                                         "school"),
                           "competitors": _COUNT}),
    "CompetitionDetail": _object({
        **_COMPETITION_FIELDS,
        "visibility": _enum(Visibility, "what the public sees while marking goes on"),
        "counts": _ref("Counts"),
        "zones": {"type": "array", "items": _ref("Zone")},
        "projects": {"type": "array", "items": _ref("ProjectSummary")},
        "delegations": {"type": "array", "items": _ref("Delegation"),
                        "description": "districts, then industries, enterprises, schools"},
    }),
    "Tolerance": _object({"label": _TEXT, "value": _MARK},
                         "One row of a measurement aspect's tolerance table."),
    "Aspect": _object({
        "id": _ID,
        "code": {"type": "string", "description": "module letter + position, e.g. A3"},
        "position": {"type": "integer", "minimum": 1},
        "type": _enum(AspectType, "M = measurement, J = judgement (scored 0–3 per judge)"),
        "description": _TEXT,
        "max_mark": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.5},
        "requirement": {"type": "string", "description": "M only; empty for J"},
        "tolerances": {"type": "array", "items": _ref("Tolerance"),
                       "description": "M only, best first; empty = full mark or 0"},
        "descriptors": {"type": "array", "items": _TEXT, "maxItems": 4,
                        "description": "J only: what scores 0, 1, 2, 3 mean; empty for M"},
    }),
    "Module": _object({
        "letter": _TEXT,
        "name": _TEXT,
        "day": {"type": ["integer", "null"], "description": "day of marking"},
        "share": {"type": ["number", "null"], "description": "the module's share of the total"},
        "total": _MARK,
        "aspects": {"type": "array", "items": _ref("Aspect")},
    }),
    "Scheme": _object({
        "status": _enum(SchemeStatus, "only an active scheme adds up to the project total"),
        "activated_at": {"type": ["string", "null"], "format": "date-time"},
        "total": _MARK,
        "modules": {"type": "array", "items": _ref("Module")},
    }),
    "ProjectDetail": _object({
        **_PROJECT_FIELDS,
        "total_marks": _MARK,
        "encrypted": {"type": "boolean",
                      "description": "加密评分: judges see workstation numbers only"},
        "panel_size": {"type": "integer", "minimum": 1},
        "trim_panel": {"type": "boolean", "description": "drop the highest and lowest score"},
        "competition": _object({"id": _ID, "name": _TEXT}),
        "venue": _nullable(_object({
            "id": _ID, "name": _TEXT, "address": _TEXT,
            "zone": _object({"id": _ID, "name": _TEXT, "is_main": {"type": "boolean"}}),
        })),
        "competitors": _COUNT,
        "divisions": {"type": "array", "items": _ref("Division")},
        "scheme": _nullable(_ref("Scheme")),
    }),
}


def _json(schema_name: str, description: str) -> Json:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema_name)}}}


def _id_parameter(name: str, what: str) -> Json:
    return {"name": name, "in": "path", "required": True, "description": f"the {what}'s id",
            "schema": {"type": "integer"}}


_NOT_FOUND = _json("Error", "No such resource.")
_PUBLIC: list[Json] = []  # no authentication


def _get(operation_id: str, summary: str, responses: Json, tag: str = "catalogue",
         parameters: list[Json] | None = None) -> Json:
    operation: Json = {"operationId": operation_id, "summary": summary, "tags": [tag],
                       "security": _PUBLIC, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


PATHS: Json = {
    "/healthz": _get("health", "The app and its database answer.", {
        "200": _json("Health", "Healthy."),
        "503": _json("Health", "The database does not answer."),
    }, tag="operations"),
    "/api/v1/competitions": _get("listCompetitions", "Every competition, newest first.", {
        "200": _json("CompetitionList", "The competitions with their counts."),
    }),
    "/api/v1/competitions/{competition_id}": _get(
        "getCompetition",
        "A competition: zones and venues, projects with divisions, delegations, counts.",
        {"200": _json("CompetitionDetail", "The competition."), "404": _NOT_FOUND},
        parameters=[_id_parameter("competition_id", "competition")]),
    "/api/v1/projects/{project_id}": _get(
        "getProject", "A skill project with its marking scheme (modules and aspects).",
        {"200": _json("ProjectDetail", "The project."), "404": _NOT_FOUND},
        parameters=[_id_parameter("project_id", "skill project")]),
    "/api/v1/openapi.json": _get("openapi", "This document.", {
        "200": {"description": "The OpenAPI 3.1 document.",
                "content": {"application/json": {"schema": {"type": "object"}}}},
    }, tag="operations"),
}


def document() -> Json:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SaiPing 赛评 API",
            "version": API_VERSION,
            "description": (
                "Public, read-only catalogue of skill competitions. It never shows ID "
                "numbers. Bearer tokens (`flask --app wsgi issue-token USERNAME`) are for "
                "the judges' endpoints added later. See docs/api.md."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "catalogue", "description": "competitions, projects, schemes"},
                 {"name": "operations", "description": "health and this document"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "a token from `flask --app wsgi issue-token`"},
            },
        },
    }
