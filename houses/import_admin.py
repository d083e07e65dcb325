"""Spreadsheet import and export in the admin: the upload limits, Dutch messages and log.

The import itself (which rows change, who may change them) is the resources' job
(``houses.resources``); reading and writing the files is ``houses.imports``.
"""

from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from import_export import forms
from import_export.formats.base_formats import XLSX
from import_export.results import RowResult

from houses import imports


class ExportForm(forms.SelectableFieldsExportForm):
    """Each column box is labelled with the column's name in the file."""

    def _get_field_label(self, resource, field_name):
        field = resource().fields.get(field_name)
        return field.column_name if field else field_name


class SpreadsheetExportMixin:
    """Exports as the site's other spreadsheets: Dutch file names, real cells in XLSX."""

    export_form_class = ExportForm

    def get_export_filename(self, request, queryset, file_format):
        date = timezone.localdate().isoformat()
        name = slugify(str(self.model._meta.verbose_name_plural))
        return f"{name}-{date}.{file_format.get_extension()}"

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request,
            queryset,
            force_native_type=isinstance(file_format, XLSX),
            **kwargs,
        )
        return file_format.export_data(data)


class ImportForm(forms.ImportForm):
    """The upload form: a file above the size limit is refused before it is read."""

    def clean_import_file(self):
        import_file = self.cleaned_data["import_file"]
        try:
            imports.check_size(import_file.size)
        except imports.ImportRefused as exc:
            raise ValidationError(str(exc)) from exc
        return import_file


IMPORT_LOG_MESSAGES = {
    RowResult.IMPORT_TYPE_NEW: _("Toegevoegd via import uit spreadsheet."),
    RowResult.IMPORT_TYPE_UPDATE: _("Gewijzigd via import uit spreadsheet."),
    RowResult.IMPORT_TYPE_DELETE: _("Verwijderd via import uit spreadsheet."),
}


class ImportScopeMixin(SpreadsheetExportMixin):
    """Import for those who may add or change records; export for whoever may view them."""

    import_form_class = ImportForm

    def has_import_permission(self, request):
        return self.has_add_permission(request) or self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "max_rows": imports.max_rows(),
            "max_kilobytes": imports.max_bytes() // 1024,
        }

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, imports.ImportRefused):
            form.add_error("import_file", str(e))
            return
        form.add_error(
            "import_file",
            _t(
                "Het bestand kon niet worden gelezen. Kies het formaat dat bij het bestand past "
                "(CSV of XLSX) en sla het zo nodig opnieuw op in uw spreadsheetprogramma."
            ),
        )

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _t(
                "Import voltooid: %(new)d nieuw, %(updated)d gewijzigd en %(skipped)d "
                "ongewijzigd overgeslagen (%(name)s)."
            )
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
                "name": self.model._meta.verbose_name_plural,
            },
        )

    def _create_log_entry(self, user_pk, rows, import_type, action_flag):
        if rows:
            LogEntry.objects.log_actions(
                user_pk,
                rows,
                action_flag,
                change_message=str(IMPORT_LOG_MESSAGES[import_type]),
                single_object=len(rows) == 1,
            )
