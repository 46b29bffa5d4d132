"""`leadscore calibrate`: points fitted from the warehouse's own outcomes, written as a
candidate rules version for review.

The steps, one module each: which leads train and test, and the day each one's features
are taken (`leads`); the candidate features, found in the data (`candidates`) and read
per lead in DuckDB (`extract`); the regularised logistic regression (`fit`); whole points,
the MQL threshold, bands and grades (`points`); the seed rows and where they go (`seeds`);
the comparison on later leads (`evaluate`); the text and JSON report (`report`) and its
section of the HTML report (`html`). `run` ties them together. The reference, with every
decision taken here, is docs/rules.md ("Calibrate points from outcomes").
"""
