"""The project pages: the list of projects, a project's article list (with each
annotator's own status, or the gold status and agreement for reviewers), starting a
project with a label schema, importing plain-text articles, and the members page,
where removing someone gives their untouched articles back to the queue."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.forms import ArticleSearchForm, MemberAddForm, ProjectCreateForm, TextUploadForm
from articles.importing import ImportRefused, Source, import_texts
from articles.members import MemberError, add_member, change_role, managed_projects
from articles.models import Membership, Role
from articles.permissions import project_view
from articles.selectors import has_role, projects_for, search_articles

from ..agreement.load import article_agreement
from ..projects import create_project, remove_member
from ..review import sent_back_to
from ..selectors import articles_for, memberships_with_work, project_summaries

ARTICLES_PER_PAGE = 50


@require_GET
def project_list(request):
    projects = project_summaries(projects_for(request.user), request.user).order_by("name")
    return render(request, "annotator/project_list.html", {"projects": projects})


@require_http_methods(["GET", "POST"])
def project_create(request):
    """Staff start projects; whoever starts one is its first manager."""
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can start projects; ask an administrator to start one and add you.")
    sources = managed_projects(request.user)
    form = ProjectCreateForm(request.POST or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        project = create_project(form.save(commit=False), manager=request.user,
                                 schema_from=sources.filter(pk=form.cleaned_data["schema_from"]).first())
        messages.success(request, f"Started “{project.name}”. Add members, then import articles.")
        return redirect(project)
    status = 422 if form.errors else 200
    return render(request, "annotator/project_new.html", {"form": form}, status=status)


def _project_page_context(request, project, role, upload_form=None, *, whole_page=True):
    search = ArticleSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    articles = search_articles(articles_for(request.user, project, role=role), query)
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    if has_role(role, Role.REVIEWER):
        # Where the annotators disagree most is where a reviewer looks first.
        scores = article_agreement([article.pk for article in page.object_list])
        for article in page.object_list:
            article.agreement = scores.get(article.pk)
    return {
        "project": project,
        "role": role,
        # Above the list: not needed when live search swaps the list alone.
        "sent_back": sent_back_to(request.user, project) if role == Role.ANNOTATOR and whole_page else [],
        "is_manager": has_role(role, Role.MANAGER),
        "search": search,
        "query": query,
        "page": page,
        "pager_params": urlencode({"q": query}) if query else "",
        "upload_form": upload_form or TextUploadForm(),
        "max_upload_mb": settings.FACTMARK_MAX_IMPORT_BYTES // (1024 * 1024),
    }


@require_GET
@project_view()
def project_detail(request, *, project, role):
    # Live search asks for the list alone (hx-target names it).
    list_only = bool(request.htmx and request.htmx.target == "article-list")
    context = _project_page_context(request, project, role, whole_page=not list_only)
    template = "annotator/project_detail.html"
    if list_only:
        template += "#article-list"
    return render(request, template, context)


@require_POST
@project_view(Role.MANAGER)
def project_import(request, *, project, role):
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
    return render(request, "annotator/project_detail.html", context, status=422)


def _members_page(request, project, role, *, add_form=None, error=None, status=200):
    memberships = memberships_with_work(project)
    order = {Role.MANAGER: 0, Role.REVIEWER: 1, Role.ANNOTATOR: 2}
    context = {
        "project": project,
        "role": role,
        "memberships": sorted(memberships, key=lambda m: (order[m.role], m.user.get_username().lower())),
        "roles": Role.choices,
        "add_form": add_form or MemberAddForm(),
        "error": error,
    }
    return render(request, "annotator/members.html", context, status=status)


@require_http_methods(["GET", "POST"])
@project_view(Role.MANAGER)
def members(request, *, project, role):
    if request.method == "GET":
        return _members_page(request, project, role)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = add_member(project=project, identifier=form.cleaned_data["user"],
                                    role=form.cleaned_data["role"])
        except MemberError as error:
            form.add_error("user", str(error))
        else:
            messages.success(
                request, f"Added {membership.user.get_username()} as {membership.get_role_display().lower()}."
            )
            return redirect("project-members", project.slug)
    return _members_page(request, project, role, add_form=form, status=422)


@require_POST
@project_view(Role.MANAGER)
def member_change(request, membership_id, *, project, role):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, project=project)
    try:
        membership = change_role(membership=membership, role=request.POST.get("role", ""))
    except MemberError as error:
        return _members_page(request, project, role, error=str(error), status=422)
    messages.success(
        request, f"{membership.user.get_username()} is now {membership.get_role_display().lower()}."
    )
    if membership.user_id == request.user.pk and membership.role != Role.MANAGER and not request.user.is_superuser:
        return redirect(project)
    return redirect("project-members", project.slug)


@require_POST
@project_view(Role.MANAGER)
def member_remove(request, membership_id, *, project, role):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, project=project)
    try:
        removal = remove_member(membership=membership, by=request.user)
    except MemberError as error:
        return _members_page(request, project, role, error=str(error), status=422)
    text = f"Removed {removal.username} from the project."
    if removal.released:
        text += f" {removal.released} article(s) they had not started went back to the queue."
    if removal.kept:
        text += f" Their {removal.kept} set(s) with work stay, for review and export."
    messages.success(request, text)
    if membership.user_id == request.user.pk and not request.user.is_superuser:
        return redirect("project-list")
    return redirect("project-members", project.slug)
