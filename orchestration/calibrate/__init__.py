"""`leadscore calibrate`: points fitted from the warehouse's own outcomes, written as a
candidate rules version for review.

One module per step: what was asked (`options`); the warehouse, read-only (`warehouse`);
which leads train and test, and the day each one's features are taken (`leads`); each
lead's raw features, read in DuckDB (`extract`); the candidate features found in the data
and their 0/1 matrix (`candidates`); the regularised logistic regression (`fit`); whole
points, the MQL threshold, bands and grades (`points`); the candidate version's seed rows
(`version`) and where they go (`seeds`); the comparison on later leads (`evaluate`); the
text and JSON report (`report`) and its section of the HTML report (`html`). `run` ties
them together. The reference, with every decision taken here: docs/rules.md, "Calibrate
points from outcomes".
"""
