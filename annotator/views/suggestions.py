"""The managers' Suggestions page of a project: how good each recommender is (against gold or submitted
sets), which recommenders are on, and the project's own cue words."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from articles.models import Role
from articles.permissions import project_view

from ..errors import ServiceError
from ..models import Suggestion
from ..suggestions.engine import RECOMMENDERS
from ..suggestions.evaluation import AGAINST, evaluate
from ..suggestions.quotes import CUES
from ..suggestions.store import save_settings, settings_of

PAGE = "annotator/suggestions.html"
FIGURES = ("precision", "recall", "f1", "precision_overlap", "recall_overlap", "f1_overlap")


class SuggestionSettingsForm(forms.Form):
    enabled = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                        choices=list(RECOMMENDERS.items()), label="Recommenders on")
    cue_words = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Extra cue words",
                                help_text="One per line (e.g. “quipped”, “tweeted”), added to the built-in lexicon.")


def _context(project, role, against: str, form=None) -> dict:
    current = settings_of(project)
    form = form or SuggestionSettingsForm(initial={
        "enabled": [name for name in RECOMMENDERS if name not in (current.disabled or [])],
        "cue_words": "\n".join(current.cue_words or [])})
    counts = dict(Suggestion.objects.filter(article__project=project).values_list("source")
                  .annotate(n=Count("id")).order_by())
    table = evaluate(project, against=against)
    for row in table["rows"]:
        row["cells"] = ["—" if row[name] is None else f"{row[name]:.2f}" for name in FIGURES]
    return {"project": project, "role": role, "form": form, "against": against, "choices": AGAINST,
            "table": table, "counts": sorted(counts.items()),
            "builtin_cues": ", ".join(CUES)}


@require_GET
@project_view(Role.MANAGER, doing="see and set up suggestions")
def suggestions(request, *, project, role):
    against = request.GET.get("against", "gold")
    if against not in AGAINST:
        against = "gold"
    return render(request, PAGE, _context(project, role, against))


@require_POST
@project_view(Role.MANAGER, doing="set up suggestions")
def suggestions_settings(request, *, project, role):
    form = SuggestionSettingsForm(request.POST)
    if not form.is_valid():
        return render(request, PAGE, _context(project, role, "gold", form), status=422)
    enabled = set(form.cleaned_data["enabled"])
    try:
        save_settings(project, disabled=[name for name in RECOMMENDERS if name not in enabled],
                      cue_words=form.cleaned_data["cue_words"].splitlines())
    except ServiceError as refused:
        form.add_error("cue_words", " ".join(refused.messages))
        return render(request, PAGE, _context(project, role, "gold", form), status=422)
    messages.success(request, "Suggestion settings saved; suggestions are recomputed the next time they are asked "
                              "for (or run manage.py suggest).")
    return redirect("suggestions", project.slug)
