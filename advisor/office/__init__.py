"""Office formats: how a district that lives in Excel and Word exchanges data with the advisor.

- ``columns``: the workbook's columns (the contract's fields with their labels from
  ``knowledge_base/data/fields.yaml``), how a cell's text maps to a field value and back, and the
  neutralisation of spreadsheet formulas in every cell we write.
- ``xlsx_template``: ``advisor template --format xlsx``, a workbook to fill in, one row per case.
- ``xlsx_in``: reading that workbook (Chinese or English headers, or the dotted names) for
  ``advisor batch``, and the copy of it with the problems marked.
- ``results``: the compact batch record and the results as XLSX, CSV or Parquet.
- ``documents``: the assessment, what-if, roadmap and batch summary as Word and PDF.
"""
