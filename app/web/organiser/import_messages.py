"""What the import says about bad files, bad rows and refused imports, in the user's
language. The domain and the services give stable codes; this is the only place that
turns them into sentences."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.sheets import RowError, SheetError
from app.services.errors import ServiceError
from app.web.messages import id_number_message, scheme_problem_message

TITLES = {
    "competitors": _l("Import competitors"),
    "judges": _l("Import judges"),
    "scheme": _l("Import marking scheme"),
}

# What each column takes, shown on the upload page next to its headers.
COLUMN_HELP = {
    "competitors": {
        "id_number": _l("18 characters. Format the column as text so Excel keeps every digit. "
                        "A person already imported is updated, not added twice."),
        "project_code": _l("The skill project's code in this competition."),
        "division": _l("职工组 or 学生组 (employee or student); the project must have it."),
        "delegation": _l("The delegation's name; it must already exist in this competition."),
        "current_level": _l("5 to 1, 五级 to 一级, or 初级工 to 高级技师; empty if none."),
        "workstation": _l("Optional; unique within the skill project."),
        "team_code": _l("Optional; the same code puts people in the same team entry."),
    },
    "judges": {
        "id_number": _l("18 characters. Format the column as text so Excel keeps every digit."),
        "delegation": _l("Optional; if given, it must already exist in this competition."),
        "project_code": _l("One row per skill project the judge is assigned to."),
        "role": _l("裁判长, 裁判员 or 监督 (chief, judge or supervisor); one chief judge per "
                   "project."),
    },
    "scheme": {
        "sub_criterion_id": _l("On a module row: its letter (A, B, C…). Aspect rows may leave "
                               "it empty."),
        "name": _l("On a module row: the module's name."),
        "day": _l("On a module row: the day of marking, e.g. 1 or C1."),
        "type": _l("On an aspect row: M (measurement) or J (judgement). Empty on module rows."),
        "description": _l("On an aspect row: what is marked."),
        "judgement_score": _l("0, 1, 2 and 3 on the four rows after each J aspect."),
        "extra_description": _l("On a score row: the descriptor for that score. On an M "
                                "aspect: an optional tolerance table, label=mark; label=mark."),
        "requirement": _l("On an M aspect: the requirement."),
        "max_mark": _l("On an aspect row: its max mark, in steps of 0.5. On a module row: "
                       "the module's share (optional)."),
    },
}


def sheet_message(error: SheetError) -> str:
    p = error.params
    messages = {
        "empty": _("The file is empty."),
        "no_rows": _("The file has a header row but no data rows under it."),
        "missing_columns": _("Required columns are missing: %(columns)s. Download the template "
                             "to see the expected headers.",
                             columns=", ".join(map(str, p.get("columns") or []))),
        "too_many_rows": _("The file has more than %(limit)s data rows. Split it into smaller "
                           "files.", limit=p.get("limit")),
        "file_type": _("%(suffix)s files cannot be imported. Upload a .xlsx or .csv file.",
                       suffix=p.get("suffix")),
        "old_xls": _("This is an old Excel .xls file. Open it in Excel and save it as .xlsx "
                     "(or .csv), then upload that."),
        "corrupt": _("The file cannot be read: it is damaged or not really a .xlsx/.csv file."),
        "encoding": _("The text of this CSV file is neither UTF-8 nor GBK. Save it again as "
                      "“CSV UTF-8”."),
    }
    return messages.get(error.code, error.code)


def row_message(error: RowError) -> str:
    p = error.params
    if error.code.startswith("id_") and error.code != "id_as_number":
        return id_number_message(error.code[3:])
    messages = {
        "required": _("This cell is required."),
        "too_long": _("Too long: at most %(max)s characters.", max=p.get("max")),
        "id_as_number": _("Excel stored this ID number as a number and lost its last digits. "
                          "Format the column as text and type the number again."),
        "unknown_project": _("No skill project has this code in this competition."),
        "division_invalid": _("The division must be 职工组 or 学生组 (employee or student)."),
        "division_not_in_project": _("Skill project %(project)s has no such division.",
                                     project=p.get("project")),
        "unknown_delegation": _("No delegation has this name in this competition. Add the "
                                "delegation first."),
        "level_invalid": _("Not a skill level: use 5 to 1, 五级 to 一级, 初级工 to 高级技师, or "
                           "leave it empty."),
        "duplicate_id_number": _("The same ID number is also in row %(rows)s.",
                                 rows=p.get("rows")),
        "duplicate_workstation": _("The same workstation of this project is also in row "
                                   "%(rows)s.", rows=p.get("rows")),
        "workstation_taken": _("This workstation already belongs to %(name)s.",
                               name=p.get("name")),
        "role_invalid": _("The role must be 裁判长, 裁判员 or 监督 (chief, judge or "
                          "supervisor)."),
        "duplicate_assignment": _("This judge is assigned to the same project again in row "
                                  "%(rows)s.", rows=p.get("rows")),
        "several_chiefs": _("A project has one chief judge; row %(rows)s names another.",
                            rows=p.get("rows")),
        "details_differ": _("The same person is in row %(row)s with a different value here.",
                            row=p.get("row")),
        "chief_exists": _("This project already has a chief judge: %(name)s.",
                          name=p.get("name")),
        "unrecognised_row": _("This row is neither a module (ID and name), an aspect (type M "
                              "or J) nor a judgement score row (评价分档 0–3)."),
        "module_id_invalid": _("A module ID is a letter, optionally followed by letters or "
                               "digits (A, B, A1…), at most 8 characters."),
        "duplicate_module": _("Module %(value)s was already defined in row %(row)s.",
                              value=error.value, row=p.get("row")),
        "day_invalid": _("The day of marking must be a number such as 1 or C1."),
        "not_a_number": _("This must be a number, such as 5 or 2.5."),
        "aspect_without_module": _("This aspect comes before any module row."),
        "aspect_module_mismatch": _("This aspect is under module %(module)s but names another "
                                    "module.", module=p.get("module")),
        "module_invalid": _("Its module (row %(row)s) has errors, so this aspect cannot be "
                            "imported.", row=p.get("row")),
        "type_invalid": _("The aspect type must be M (measurement) or J (judgement)."),
        "tolerance_format": _("Write the tolerance table as label=mark; label=mark, with a "
                              "number after each ="),
        "descriptor_without_judgement": _("A judgement score row must follow a J aspect."),
        "judgement_score_invalid": _("The judgement score must be 0, 1, 2 or 3."),
        "judgement_score_duplicate": _("This score already has a descriptor for this aspect."),
    }
    if error.code in messages:
        return messages[error.code]
    return str(scheme_problem_message(error.code, dict(p)))


def warning_message(code: str, params: dict[str, object]) -> str:
    shown = {k: f"{v:g}" if isinstance(v, float) else v for k, v in params.items()}
    problem = scheme_problem_message(code, shown)
    return _("%(problem)s If imported, the scheme is stored as a draft and cannot be "
             "activated until this is fixed.", problem=problem)


def refusal_message(error: ServiceError) -> str:
    p = error.params
    messages = {
        "already_imported": _("This file has already been imported."),
        "has_errors": _("Nothing was imported: %(bad)s rows have errors. Fix the file and upload "
                        "it again, or tick “Import only the valid rows”.", bad=p.get("bad")),
        "scheme_active": _("The marking scheme of %(project)s is active, so an import cannot "
                           "change it. Return it to draft first.", project=p.get("project")),
        "conflict": _("Nothing was imported: the data changed while you were looking at the "
                      "preview. Upload the file again."),
    }
    return messages.get(error.code, _("The import failed (%(code)s).", code=error.code))


def too_large_message(limit_bytes: int) -> str:
    return _("The file is too large. The limit is %(mb)s MB: split it into smaller files.",
             mb=f"{limit_bytes / 1024 / 1024:g}")
