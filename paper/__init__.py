"""Exports for a committee paper: tables (CSV, Excel) and an auditable live-formula workbook."""
