"""Forms of the spreadsheet import: the upload, and the confirmation after the preview."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField


class UploadForm(FlaskForm):
    file = FileField(_l("Spreadsheet file"),
                     validators=[FileRequired(_l("Choose a .xlsx or .csv file to upload."))],
                     render_kw={"accept": ".xlsx,.csv"})


class ConfirmForm(FlaskForm):
    only_valid = BooleanField(_l("Import only the valid rows (the bad rows are left out)"))
