"""The pages that need only projects and articles: a project's guidelines and its
settings.  Pages that combine projects with annotations live in ``annotator.views``."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .forms import ProjectSettingsForm
from .guidelines import render_guidelines
from .models import Role
from .permissions import project_view


@require_GET
@project_view()
def project_guidelines(request, *, project, role):
    context = {"project": project, "role": role, "guidelines": render_guidelines(project.guidelines)}
    return render(request, "articles/guidelines.html", context)


@require_http_methods(["GET", "POST"])
@project_view(Role.MANAGER)
def project_settings(request, *, project, role):
    form = ProjectSettingsForm(request.POST or None, instance=project)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Settings saved.")
            return redirect("project-settings", project.slug)
        project.refresh_from_db()  # the heading keeps the saved name, not the refused one
    status = 422 if form.errors else 200
    return render(request, "articles/settings.html", {"project": project, "role": role, "form": form}, status=status)
