"""annotator.agreement.cache: the report in the shape ``agreement --json`` prints.

(Computing the report once per state of the annotations is tested through the
agreement page, in tests/annotator/test_dashboard_views.py.)"""

import pytest

from annotator.agreement.cache import public_report
from annotator.agreement.load import agreement_report
from tests.factories import annotate

pytestmark = pytest.mark.django_db

ACTORS = [("Actor", "Jong Ui Young"), ("Actor", "Sergei Lavrov")]


def test_public_report_has_the_documented_keys(project, article, annotator, other_annotator):
    annotate(article, annotator, *ACTORS)
    annotate(article, other_annotator, *ACTORS)
    report = public_report(agreement_report(project))
    metrics = {"span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token"}
    assert set(report) == {"articles", "overall", "labels", "pairs"}
    assert set(report["overall"]) == metrics | {"verdict_agreement"}
    assert all(set(figures) == metrics for figures in report["labels"].values())
    assert set(report["pairs"][0]) == {"a", "b", "verdict_agreement"} | metrics

