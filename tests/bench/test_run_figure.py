"""`python -m bench.run --figure 8` replaces figure 8's section of the report and keeps the rest."""

from __future__ import annotations

from bench.run import FIGURE_HEADING, replace_section

REPORT = "# Cutover benchmarks\n\n## 7. The judge\n\nseven\n\n## 8. Zero downtime\n\nold table\n\nold notes\n"


def test_the_figures_section_is_replaced_and_the_others_kept() -> None:
    section = ["## 8. Zero downtime: production requests through every transition", "", "new table"]
    replaced = replace_section(REPORT, FIGURE_HEADING, section)
    assert replaced == "# Cutover benchmarks\n\n## 7. The judge\n\nseven\n\n" + "\n".join(section) + "\n"
    assert "old" not in replaced


def test_a_section_before_another_keeps_the_one_after() -> None:
    report = REPORT.replace("## 7. The judge\n\nseven\n\n", "") + "\n## 9. Later\n\nnine\n"
    replaced = replace_section(report, FIGURE_HEADING, ["## 8. new", "", "table"])
    assert replaced.endswith("## 8. new\n\ntable\n\n## 9. Later\n\nnine\n")


def test_a_report_without_the_figure_gets_it_at_the_end() -> None:
    replaced = replace_section("# Cutover benchmarks\n", FIGURE_HEADING, ["## 8. new", "", "table"])
    assert replaced == "# Cutover benchmarks\n\n## 8. new\n\ntable\n"
