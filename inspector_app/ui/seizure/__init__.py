"""The seizure workflow's widgets: the workflow page, the signature pad, the PDF preview and
print, the verify dialog, and the dashboard's deadline panel."""
