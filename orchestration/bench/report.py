"""The benchmark's figures as a plain-text table: a line per stage (wall time, rows per
second, peak memory, notes), the reference scorer's line after each daily series, the
late-over-early ratio, each series' ratio to the reference scorer and the profile of the
last daily run."""

from __future__ import annotations

from orchestration.bench.stages import EARLY_DAY


def table(results: dict) -> str:
    """The figures as a plain-text table."""
    st = results["stages"]
    lines = [
        f"tier {results['tier']}: {results['contacts']:,} contacts x {results['days']} days "
        f"({results['machine']['cpus']} cpus, duckdb threads {results['machine']['duckdb_threads']}, "
        f"memory limit {results['machine']['duckdb_memory_limit']})",
        f"{'stage':<22}{'wall s':>10}{'rows/s':>12}{'peak MiB':>10}  notes",
    ]
    for name, v in st.items():
        if not isinstance(v, dict) or name.startswith("ratio"):
            continue
        if "not_run" in v:
            lines.append(f"{name:<22}{'-':>10}{'':>12}{'-':>10}  not run: {v['not_run']}")
        elif name.startswith("reference_"):
            ok = [x for x in v["runs"] if "failed" not in x]
            note = f"median of {len(ok)}: " + ", ".join(
                f"failed ({x['day']})"
                if "failed" in x
                else f"{x['seconds']:.1f}s (query {x['query_seconds']:.1f}s, {x['rows']:,} rows)"
                for x in v["runs"]
            )
            lines.append(f"{name:<22}{v['median_seconds']:>10.1f}{'':>12}{v['peak_rss_mib']:>10.0f}  {note}")
        elif "runs" in v:
            note = f"median of {len(v['runs'])}: " + ", ".join(
                f"{x['seconds']:.1f}s ({x['events_landed']:,} ev)" for x in v["runs"]
            )
            lines.append(f"{name:<22}{v['median_seconds']:>10.1f}{'':>12}{v['peak_rss_mib']:>10.0f}  {note}")
        else:
            rps = f"{v['rows_per_second']:,}" if v.get("rows_per_second") else ""
            note = f"{v['rows']:,} {v['rows_what']}" if "rows" in v else ""
            if v.get("stopped"):
                rps, note = (
                    "",
                    f"STOPPED at the {v['limit_seconds'] / 60:g}-minute limit, unfinished; " + note,
                )
            lines.append(f"{name:<22}{v['seconds']:>10.1f}{rps:>12}{v['peak_rss_mib']:>10.0f}  {note}")
    if "ratio_late_over_early" in st:
        lines.append(f"daily run, last day over day {EARLY_DAY} (medians): {st['ratio_late_over_early']}x")
    ratios = st.get("ratio_daily_over_reference") or {}
    if ratios:
        lines.append("daily run over the reference scorer, same warehouse and day (medians):")
        for name, ratio in ratios.items():
            lines.append(
                f"  {name:<20}{st[name]['median_seconds']:>8.1f} s / "
                f"{st['reference_' + name]['median_seconds']:.1f} s = {ratio}x"
            )
    late = [k for k in st if k.startswith("daily_day") and "runs" in st[k]]
    if late:
        prof = st[late[-1]]["runs"][-1].get("profile", {})
        if prof:
            lines.append(f"profile of the last daily run ({st[late[-1]]['runs'][-1]['day']}):")
            for step, s in sorted(prof.get("steps", {}).items(), key=lambda x: -x[1]):
                lines.append(f"  step {step:<40}{s:>8.1f} s")
            lines.append(
                f"  dbt elapsed {prof.get('dbt_total_seconds', '?')} s; "
                f"data tests {prof.get('dbt_tests_seconds', '?')} s; slowest models:"
            )
            for model, s in prof.get("dbt_models", {}).items():
                lines.append(f"    {model:<40}{s:>8.1f} s")
    lines.append(
        f"peak memory of any pipeline process: {results.get('peak_rss_mib', 0):.0f} MiB "
        "(the reference scorer's is on its rows)"
    )
    return "\n".join(lines)
