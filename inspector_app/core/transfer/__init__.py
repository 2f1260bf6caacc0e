"""Moving records in and out of a store: the JSON record format, and CSV/XLSX tables.

* `fileformat`: the format's kinds, references and JSON Schema, and the `Issue`s it names;
* `export`: the JSON export; `tables`: CSV and XLSX;
* `checking`, `importing`, `writing`: an import, all or nothing (see `importing`);
* `reading`: a records file read whole, or parsed as it is read for `import_file`.
"""

from inspector_app.core import canonical
from inspector_app.core.transfer.checking import (
    AttachmentFiles,
    Checker,
    ImportSummary,
    _AttachmentFiles,
    check_document,
)
from inspector_app.core.transfer.export import export_json, iter_entities, referenced
from inspector_app.core.transfer.fileformat import (
    ENTITY_LABELS,
    FORMAT,
    FORMAT_VERSION,
    KIND_ORDER,
    REFERENCE_KINDS,
    REFERENCES,
    UNUSABLE_PASSWORD,
    ImportRejected,
    Issue,
    Progress,
    Reference,
    TransferError,
    entity_label,
    json_path,
    schema,
    schema_errors,
    validator,
)
from inspector_app.core.transfer.importing import (
    import_checked,
    import_document,
    import_records,
)
from inspector_app.core.transfer.reading import import_file, load_document
from inspector_app.core.transfer.tables import (
    EXTRA_COLUMNS,
    TableColumn,
    export_table,
    table_header,
    table_rows,
)

__all__ = [
    "ENTITY_LABELS", "EXTRA_COLUMNS", "FORMAT", "FORMAT_VERSION", "KIND_ORDER",
    "REFERENCES", "REFERENCE_KINDS", "UNUSABLE_PASSWORD", "AttachmentFiles", "Checker",
    "ImportRejected", "ImportSummary", "Issue", "Progress", "Reference", "TableColumn",
    "TransferError", "_AttachmentFiles", "canonical", "check_document", "entity_label",
    "export_json", "export_table", "import_checked", "import_document", "import_file",
    "import_records", "iter_entities", "json_path", "load_document", "referenced", "schema",
    "schema_errors", "table_header", "table_rows", "validator",
]
