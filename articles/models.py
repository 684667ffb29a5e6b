"""Projects, memberships with their roles, and articles (the text, normalised once at
import, and its metadata)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator


class Role(models.TextChoices):
    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"
    MANAGER = "manager", "Manager"


ROLE_RANK = {Role.ANNOTATOR: 1, Role.REVIEWER: 2, Role.MANAGER: 3}


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    guidelines = models.TextField(blank=True, help_text="Markdown, shown to everyone in the project.")
    organisation = models.CharField(
        max_length=200, blank=True, help_text="Publishes the fact-checks (ClaimReview author)."
    )
    annotators_per_article = models.PositiveSmallIntegerField(default=1)
    allow_overlap = models.BooleanField(default=True, help_text="Whether spans may overlap each other.")
    snap_to_words = models.BooleanField(
        default=False, help_text="Widen a selection to whole words before tagging it."
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="projects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annotators_per_article__gte=1), name="project_annotators_per_article_positive"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("project-detail", args=[self.slug])


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_one_per_project_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} in {self.project}"


class Article(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="articles")
    external_id = models.CharField(max_length=200, help_text="Unique within the project.")
    title = models.CharField(max_length=300)
    text = models.TextField()
    source = models.CharField(max_length=200, blank=True, help_text="Outlet or feed.")
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True)
    author = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, blank=True, default="en")
    meta = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    length = models.PositiveIntegerField(editable=False, help_text="Characters (code points).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "external_id"], name="article_external_id_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="article_text_not_empty"),
            models.CheckConstraint(condition=~Q(external_id=""), name="article_external_id_not_empty"),
        ]
        indexes = [models.Index(fields=["project", "content_hash"], name="article_project_hash")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workspace", args=[self.project.slug, self.pk])

    @property
    def short_title(self):
        return Truncator(self.title).chars(90)


class ApiToken(models.Model):
    """A personal API token: a script acts as its owner, with the owner's roles and nothing more.

    Only a hash of the secret is kept; the secret itself is shown once, when the token is
    made (``articles.tokens.create_token``).  A token stops working when it is revoked,
    when it expires, when its owner is deactivated, and when its owner's password changes
    (``password_mark`` no longer matches).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “nightly export”.")
    prefix = models.CharField(
        max_length=16, editable=False, help_text="The secret's first characters, to tell tokens apart."
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    password_mark = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="api_token_name_not_empty")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
