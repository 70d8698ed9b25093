"""Annual reports, built from the records each time they are asked for (nothing cached), as
tables with charts; rendered to CSV and PDF."""
