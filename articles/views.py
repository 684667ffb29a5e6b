from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from .forms import ArticleSearchForm, TextUploadForm
from .importing import ImportRefused, Source, import_texts
from .models import Role
from .selectors import articles_for, has_role, projects_for, role_in, search_articles

ARTICLES_PER_PAGE = 50


@require_GET
def project_list(request):
    projects = projects_for(request.user).order_by("name")
    return render(request, "articles/project_list.html", {"projects": projects})


def _project_page_context(request, project, role, upload_form=None):
    search = ArticleSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    articles = search_articles(articles_for(request.user, project, role=role), query)
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "project": project,
        "role": role,
        "is_manager": has_role(role, Role.MANAGER),
        "search": search,
        "query": query,
        "page": page,
        "pager_params": urlencode({"q": query}) if query else "",
        "upload_form": upload_form or TextUploadForm(),
        "max_upload_mb": settings.FACTMARK_MAX_IMPORT_BYTES // (1024 * 1024),
    }


@require_GET
def project_detail(request, slug):
    project = get_object_or_404(projects_for(request.user), slug=slug)
    role = role_in(request.user, project)
    context = _project_page_context(request, project, role)
    template = "articles/project_detail.html"
    if request.htmx and request.htmx.target == "article-list":
        template += "#article-list"
    return render(request, template, context)


@require_POST
def project_import(request, slug):
    project = get_object_or_404(projects_for(request.user), slug=slug)
    role = role_in(request.user, project)
    if not has_role(role, Role.MANAGER):
        raise PermissionDenied("Only managers can import articles.")
    form = TextUploadForm(request.POST, request.FILES)
    if form.is_valid():
        limit = settings.FACTMARK_MAX_IMPORT_BYTES
        sources = [Source(name=f.name, data=f.read(limit + 1)) for f in form.cleaned_data["files"]]
        try:
            report = import_texts(project, sources)
        except ImportRefused as refused:
            for error in refused.errors:
                form.add_error("files", error)
            form.add_error(None, "Nothing was imported.")
        else:
            messages.success(request, f"Imported {len(report.created)} article(s).")
            for skipped in report.skipped:
                messages.warning(request, skipped)
            return redirect(project)
    context = _project_page_context(request, project, role, upload_form=form)
    return render(request, "articles/project_detail.html", context, status=422)
