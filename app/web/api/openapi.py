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
    Award,
    CompetitorStatus,
    DelegationKind,
    DivisionKind,
    MarkingMethod,
    ProjectKind,
    SchemeStatus,
    Tier,
    Visibility,
)
from app.services.public_view import AWARD, RANK, Phase
from app.web.api.certificates import CODES as LOOKUP_CODES
from app.web.api.judging import STATUS as MARK_STATUS
from app.web.api.tablet_codes import STATUS as REDEEM_STATUS

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


def _partly(properties: Json, optional: set[str], description: str = "") -> Json:
    """A closed object whose `optional` properties may be absent."""
    schema = _object(properties, description)
    schema["required"] = [name for name in properties if name not in optional]
    return schema


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
                                                  "unauthorized, forbidden, "
                                                  "method_not_allowed, rate_limited, "
                                                  "code_used…, error"},
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

# ------------------------------------------------------------------ the judges' endpoints

_VERSION = {"type": "integer", "minimum": 1,
            "description": "counts the mark's changes: 1 when first stored"}
_MARK_STATUS = {"type": "string", "enum": ["draft", "rediscuss", "submitted"],
                "description": "the aspect for this competitor: draft (J panel incomplete), "
                               "rediscuss (J scores more than 1 apart: re-discuss and "
                               "re-score), submitted (it counts)"}

SCHEMAS.update({
    "MarkSubmission": _partly({
        "client_id": {"type": "string", "format": "uuid",
                      "description": "made by the tablet for this submission; sending it "
                                     "again returns the first acknowledgement"},
        "competitor_id": _ID,
        "aspect_id": _ID,
        "score": {"type": "integer", "enum": [0, 1, 2, 3],
                  "description": "J aspects only (send score or value, not both)"},
        "value": {"type": "number", "minimum": 0,
                  "description": "M aspects only: 0, max_mark or a tolerance value"},
        "expected_version": {"type": "integer", "minimum": 0,
                             "description": "the version the judge saw (0: no mark yet); "
                                            "omit to overwrite whatever is stored"},
        "device_id": {"type": "string", "description": "the tablet's name, for the audit"},
        "tablet_time": {"type": "string", "format": "date-time",
                        "description": "the tablet's clock when the judge scored, for the "
                                       "audit; it never orders anything"},
        "reason": {"type": "string", "description": "why a mark changed, for the audit"},
    }, {"score", "value", "expected_version", "device_id", "tablet_time", "reason"},
        "One mark, as the tablet sends it (the same payload as the socket's submit_mark)."),
    "MarkAck": _object({
        "ok": {"type": "boolean", "enum": [True]},
        "mark_id": _ID,
        "version": _VERSION,
        "status": _MARK_STATUS,
    }, "The acknowledgement: sent only after the mark is committed."),
    "AssignedCompetitor": _partly({
        "id": _ID,
        "workstation": {"type": ["string", "null"], "description": "工位号"},
        "name": {"type": "string", "description": "absent when the project is encrypted"},
        "conflict": {"type": "boolean",
                     "description": "回避: the judge must not score this competitor"},
        "measurement_allowed": {"type": "boolean",
                                "description": "with a conflict only: whether M aspects "
                                               "may still be entered (per project)"},
    }, {"name", "measurement_allowed"}),
    "AssignedJAspect": _object({
        "id": _ID, "type": {"type": "string", "enum": [AspectType.JUDGEMENT.value]},
        "description": _TEXT, "max_mark": _MARK,
        "allowed_values": {"type": "array", "items": {"type": "integer", "enum": [0, 1, 2, 3]}},
        "descriptors": {"type": "array", "items": _TEXT, "maxItems": 4,
                        "description": "what scores 0, 1, 2, 3 mean"},
    }),
    "AssignedMAspect": _object({
        "id": _ID, "type": {"type": "string", "enum": [AspectType.MEASUREMENT.value]},
        "description": _TEXT, "max_mark": _MARK,
        "allowed_values": {"type": "array", "items": _MARK,
                           "description": "0, the tolerance values and max_mark, ascending"},
        "requirement": _TEXT,
        "tolerances": {"type": "array", "items": _ref("Tolerance")},
    }),
    "AssignedModule": _object({
        "id": _ID, "letter": _TEXT, "name": _TEXT,
        "day": {"type": ["integer", "null"]},
        "locked": {"type": "boolean", "description": "signed off: its marks cannot change"},
        "aspects": {"type": "array", "items": {"anyOf": [_ref("AssignedJAspect"),
                                                         _ref("AssignedMAspect")]}},
    }),
    "OwnMark": _object({"competitor_id": _ID, "aspect_id": _ID, "value": _MARK,
                        "version": _VERSION},
                       "A mark this judge has stored: the version to send as "
                       "expected_version when changing it."),
    "AssignedProject": _object({
        "id": _ID, "code": _TEXT, "name": _TEXT,
        "encrypted": {"type": "boolean",
                      "description": "加密评分: competitors come without names"},
        "panel_size": {"type": "integer", "minimum": 1},
        "scheme_active": {"type": "boolean",
                          "description": "false: no modules yet, nothing can be scored"},
        "judge_id": _ID,
        "competitors": {"type": "array", "items": _ref("AssignedCompetitor"),
                        "description": "by workstation; for a substitute, only the "
                                       "competitors they stand in for"},
        "modules": {"type": "array", "items": _ref("AssignedModule")},
        "marks": {"type": "array", "items": _ref("OwnMark")},
    }),
    "Assignments": _object({
        "user": _object({"id": _ID, "username": _TEXT, "name": _TEXT}),
        "projects": {"type": "array", "items": _ref("AssignedProject")},
    }, "What the tablet downloads and keeps for offline use."),
    "TabletCode": _object({"code": {"type": ["string", "integer"],
                                    "description": "the 6 digits; spaces and dashes ignored"}}),
    "TabletToken": _object({
        "token": {"type": "string", "description": "a bearer token (sp_…), shown once"},
        "project_id": _ID,
        "judge_name": _TEXT,
        "expires_at": {"type": "string", "format": "date-time"},
    }, "A bearer token bound to one judge and one project, for the working day."),
})


def _refusal(codes: list[str]) -> Json:
    error = _partly({
        "code": {"type": "string", "enum": codes},
        "message": {"type": "string", "description": "for the judge, in their language"},
        "field": {"type": "string", "description": "the payload field at fault"},
        "current_version": {"type": "integer", "minimum": 0,
                            "description": "stale_version only: the version now stored"},
    }, {"field", "current_version"})
    return _object({"ok": {"type": "boolean", "enum": [False]}, "error": error},
                   "A refused mark: nothing was stored.")


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


# ------------------------------------------------------------------ public results

_SEQ = {"type": "integer", "minimum": 0,
        "description": "the competition's live sequence number this snapshot is at: apply "
                       "the /live events with a higher seq (docs/api.md)"}
_PHASE = _enum(Phase, "what the public may see: hidden (nothing), progress (marking "
                      "progress only), live (provisional ranks), frozen (as the marks stood "
                      "at the freeze), ceremony (only the steps revealed so far), published "
                      "(final)")

SCHEMAS.update({
    "BoardRow": _object({
        "competitor_id": _ID,
        "name": _TEXT,
        "delegation_id": _ID,
        "delegation": _TEXT,
        "workstation": {"type": ["string", "null"], "description": "工位号"},
        "status": _enum(CompetitorStatus, "withdrawn and disqualified competitors have "
                                          "no rank"),
        "rank": {"type": ["integer", "null"], "minimum": 1,
                 "description": "never tied (排名不并列); null: not ranked (yet)"},
        "total": _MARK,
        "scale": {"type": ["number", "null"],
                  "description": "the WorldSkills scale score, where the project uses it"},
        "award": _nullable(_enum(Award, "excellence = 优胜奖, medallion = Medallion for "
                                        "Excellence")),
        "tie": _nullable(_object({
            "step": {"type": "string", "description": "the tie-break step that decided "
                                                      "this place, e.g. judgement"},
            "undecided": {"type": "boolean",
                          "description": "no step could: the chief judge decides"},
        }, "Set when this total equals another's: why this place.")),
        "move": {"type": "integer", "description": "places gained (positive) or lost in "
                                                   "the last update: the movement arrow"},
    }, "One competitor on a public board."),
    "Board": _object({
        "project_id": _ID,
        "division_id": _ID,
        "phase": _PHASE,
        "progress": _nullable(_object({
            "counted": _COUNT, "expected": _COUNT,
            "percent": {"type": ["number", "null"], "minimum": 0,
                        "description": "null while nothing is expected"},
        }, "Aspects marked so far (null when hidden or in the ceremony).")),
        "ceremony": _nullable(_object({
            "mode": {"type": "string", "enum": [RANK, AWARD],
                     "description": "rank: from the bottom rank up; award: award by award"},
            "step": _COUNT, "steps": _COUNT,
            "pending": {"type": "integer", "minimum": 0,
                        "description": "places not revealed yet"},
        }, "Only in the ceremony phase.")),
        "rows": {"type": "array", "items": _ref("BoardRow"),
                 "description": "by rank, then the unranked by competitor id; empty in "
                                "the hidden and progress phases"},
    }, "A division's public board: the same document /live deltas patch."),
    "Leaderboard": _object({"seq": _SEQ, "board": _ref("Board")},
                           "With ?division=: that division's board."),
    "Leaderboards": _object({"seq": _SEQ, "boards": {"type": "array",
                                                     "items": _ref("Board")}},
                            "Without ?division=: every division's board."),
    "MedalRow": _object({
        "delegation_id": _ID,
        "delegation": _TEXT,
        "rank": {"type": "integer", "minimum": 1,
                 "description": "by gold, then silver, then bronze; shared when equal"},
        "gold": _COUNT, "silver": _COUNT, "bronze": _COUNT,
        "merit": {"type": "integer", "minimum": 0,
                  "description": "优胜奖 and Medallions for Excellence"},
        "points": {"type": "integer", "minimum": 0,
                   "description": "team points (by default gold 4, silver 3, bronze 2, "
                                  "merit 1)"},
    }),
    "Medals": _object({
        "seq": _SEQ,
        "phase": _PHASE,
        "rows": {"type": "array", "items": _ref("MedalRow"),
                 "description": "only from what the public boards show: empty while "
                                "results are hidden or progress only"},
    }, "The delegations' medal table."),
})

_NOT_MODIFIED = {"description": "Not modified: the If-None-Match ETag is current. No body."}
_CACHED = ("Cacheable: a weak ETag (the competition's seq and phase; send it back in "
           "If-None-Match for a 304) and Cache-Control: public, max-age=2.")

PATHS.update({
    "/api/v1/projects/{project_id}/leaderboard": _get(
        "getLeaderboard",
        "A project's public leaderboard (one division, or every division), as /live last "
        "sent it. " + _CACHED,
        {"200": {"description": "The board (with ?division=) or the boards (without).",
                 "content": {"application/json": {"schema": {
                     "anyOf": [_ref("Leaderboard"), _ref("Leaderboards")]}}}},
         "304": _NOT_MODIFIED,
         "400": _json("Error", "?division= is not a whole number (bad_request)."),
         "404": _json("Error", "No such project, or no such division in it.")},
        tag="results",
        parameters=[_id_parameter("project_id", "skill project"),
                    {"name": "division", "in": "query", "required": False,
                     "description": "a division id of this project; omit for every "
                                    "division", "schema": {"type": "integer"}}]),
    "/api/v1/competitions/{competition_id}/medals": _get(
        "getMedals", "The delegations' medal table, from the public boards. " + _CACHED,
        {"200": _json("Medals", "The medal table."), "304": _NOT_MODIFIED,
         "404": _NOT_FOUND},
        tag="results", parameters=[_id_parameter("competition_id", "competition")]),
})


_BEARER = [{"bearerAuth": []}]
_NO_TOKEN = _json("Error", "No valid bearer token: missing, unknown, revoked or expired.")
_NOT_A_JUDGE = _json("Error", "The token's account is not a judge or chief judge.")


def _mark_responses() -> Json:
    responses: Json = {
        "201": _json("MarkAck", "Stored as the mark's first version (or, for a client_id "
                                "already stored, that submission's acknowledgement again)."),
        "200": _json("MarkAck", "Stored as a later version of the mark (or, for a client_id "
                                "already stored, that submission's acknowledgement again)."),
        "401": _NO_TOKEN,
    }
    by_status: dict[int, list[str]] = {}
    for code, status in MARK_STATUS.items():
        by_status.setdefault(status, []).append(code)
    for status, codes in sorted(by_status.items()):
        schema = _refusal(sorted(codes))
        if status == 403:  # also the bearer check's refusal
            schema = {"anyOf": [schema, _ref("Error")]}
        responses[str(status)] = {"description": "Refused: " + ", ".join(sorted(codes)) + ".",
                                  "content": {"application/json": {"schema": schema}}}
    return responses


def _redeem_responses() -> Json:
    responses: Json = {"201": _json("TabletToken", "The code is used up; here is the token.")}
    by_status: dict[int, list[str]] = {}
    for code, status in REDEEM_STATUS.items():
        by_status.setdefault(status, []).append(code)
    for status, codes in sorted(by_status.items()):
        responses[str(status)] = _json("Error", "Refused: " + ", ".join(sorted(codes)) + ".")
    responses["429"] = _json("Error", "Too many attempts from this address (rate_limited).")
    return responses


PATHS.update({
    "/api/v1/judge/assignments": {"get": {
        "operationId": "judgeAssignments",
        "summary": "The signed-in judge's projects, competitors, modules, aspects and own "
                   "marks: what the tablet keeps for offline use.",
        "tags": ["judging"], "security": _BEARER,
        "responses": {"200": _json("Assignments", "The judge's assignments."),
                      "401": _NO_TOKEN, "403": _NOT_A_JUDGE},
    }},
    "/api/v1/marks": {"post": {
        "operationId": "submitMark",
        "summary": "Store one mark: the socket's submit_mark over HTTP, with the same "
                   "validation, codes and idempotency (client_id).",
        "tags": ["judging"], "security": _BEARER,
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref("MarkSubmission")}}},
        "responses": _mark_responses(),
    }},
    "/api/v1/tablet/redeem": {"post": {
        "operationId": "redeemTabletCode",
        "summary": "Trade the chief judge's one-time tablet code for a bearer token bound "
                   "to that judge and project. No authentication; rate-limited.",
        "tags": ["judging"], "security": _PUBLIC,
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref("TabletCode")}}},
        "responses": _redeem_responses(),
    }},
})


# ------------------------------------------------------------------ certificates

SCHEMAS.update({
    "Certificate": _object({
        "number": {"type": "string", "description": "22 characters: Y or S + 21 digits "
                                                    "(docs/api.md)"},
        "name": _TEXT,
        "id_number_masked": {"type": "string", "description": "the last four characters "
                                                              "only, e.g. **************123X"},
        "occupation_name": _TEXT,
        "occupation_code": {"type": "string", "description": "e.g. 6-31-01-03; may be empty"},
        "level": {"type": "integer", "enum": [1, 2, 3, 4, 5],
                  "description": "1 一级/高级技师, 2 二级/技师, 3 三级/高级工, 4 四级/中级工, "
                                 "5 五级/初级工; the number's 16th character"},
        "issuing_body": _TEXT,
        "issued_on": {"type": "string", "format": "date"},
        "status": {"type": "string", "enum": ["valid", "revoked"]},
        "revoked_on": {"type": ["string", "null"], "format": "date",
                       "description": "the day it was revoked (Asia/Shanghai); null while "
                                      "valid"},
        "competition_name": _TEXT,
        "project_name": _TEXT,
        "rank": {"type": ["integer", "null"], "minimum": 1,
                 "description": "the rank in the project that earned it (以赛代评)"},
    }, "A 职业技能等级证书 as the public may see it: the ID number masked."),
    "Certificates": _object({"certificates": {
        "type": "array", "items": _ref("Certificate"),
        "description": "empty when nothing matches the number (or ID number) and the name "
                       "together; by date of issue, newest first"}}),
    "LookupRefusal": _object({"error": _object({
        "code": {"type": "string", "enum": list(LOOKUP_CODES)},
        "field": {"type": "string", "enum": ["number", "id_number", "name"],
                  "description": "the query parameter at fault"},
        "message": {"type": "string", "description": "for people, in the request's language"},
    })}, "A lookup that cannot be made: nothing was looked up."),
})


def _query(name: str, description: str, required: bool = False) -> Json:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": {"type": "string"}}


PATHS["/api/v1/certificates/verify"] = _get(
    "verifyCertificate",
    "Check a certificate: its number and the holder's name, or the holder's ID number and "
    "name; never a name alone. Rate-limited per address (CERTIFICATE_LOOKUP_LIMIT).",
    {"200": _json("Certificates", "The matching certificates (none: an empty list)."),
     "400": _json("LookupRefusal", "No name, neither number nor ID number, or one that "
                                   "is malformed."),
     "429": _json("Error", "Too many lookups from this address (rate_limited).")},
    tag="certificates",
    parameters=[_query("number", "the certificate number (spaces and a lower-case y/s "
                                 "are accepted)"),
                _query("id_number", "the holder's 18-character ID number, instead of the "
                                    "number"),
                _query("name", "the holder's name, exactly as on the certificate",
                       required=True)])

def document() -> Json:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SaiPing 赛评 API",
            "version": API_VERSION,
            "description": (
                "Public, read-only catalogue of skill competitions, public results "
                "(leaderboards and the medal table), and the judges' endpoints (bearer "
                "token from `flask --app wsgi issue-token USERNAME` or from a tablet "
                "code). It never shows ID numbers. The real-time protocols (Socket.IO "
                "namespaces /judge, /staff and /live) are in docs/api.md."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "catalogue", "description": "competitions, projects, schemes"},
                 {"name": "results", "description": "public leaderboards and medal table, "
                                                    "cacheable"},
                 {"name": "judging", "description": "judges' tablets: assignments, marks, "
                                                    "tablet codes"},
                 {"name": "certificates", "description": "the public check of 职业技能等级证书"},
                 {"name": "operations", "description": "health and this document"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "sp_… from `flask --app wsgi issue-token` or "
                                              "POST /api/v1/tablet/redeem"},
            },
        },
    }
