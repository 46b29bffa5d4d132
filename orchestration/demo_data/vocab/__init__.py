"""Vocabularies and behaviour tables for the demo-data generator (orchestration.demo_data.generate).

Everything here is small, static and deterministic: names, titles, URL paths, the event
"kinds" (an event type together with the set of `properties` objects it can carry) and
the mix of kinds per behavioural phase. The generator turns these into pyarrow string
arrays once and then only gathers from them by integer index, so no per-row Python runs.

By topic:

- people      contact names and e-mail domains, seniorities and titles, lead sources,
              junk kinds, the contacts' CRM fields, lead dispositions
- companies   industries, countries, tiers and tech stacks, company names, competitors
- events      what events point at (pages, campaigns, assets) and the event kinds
- behaviour   behavioural phases and their mix of kinds, business hours
- encoding    JSON text and normalised weights, shared by the tables above
"""
