"""The annotation domain: schema (labels, relation types), the actor knowledge
base, annotation sets with their spans and relations, and the event log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from articles.models import Article, Project

from .attributes import attribute_definition_errors

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f77b4.")
key_validator = RegexValidator(r"^[a-z0-9]?$", "Use one lower-case letter or digit.")


class Label(models.Model):
    """A span type of a project, with the attributes its spans carry.

    ``attributes`` is a list of definitions, e.g.
    ``[{"name": "verdict", "type": "choice", "choices": ["true", "false"]},
    {"name": "checkworthy", "type": "bool"}]``.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=60)
    colour = models.CharField(max_length=7, default="#4c78a8", validators=[colour_validator])
    key = models.CharField(max_length=1, blank=True, validators=[key_validator], help_text="Keyboard shortcut.")
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=list, blank=True)
    links_entity = models.BooleanField(default=False, help_text="Spans of this label link to an entity.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="label_name_unique"),
            models.UniqueConstraint(
                fields=["project", "key"], condition=~Q(key=""), name="label_key_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = attribute_definition_errors(self.attributes)
        if errors:
            raise ValidationError({"attributes": errors})

    def attribute(self, name):
        for definition in self.attributes or []:
            if definition.get("name") == name:
                return definition
        return None


class RelationType(models.Model):
    """A typed, directed link from a span of ``source_label`` to one of ``target_label``."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="relation_types")
    name = models.CharField(max_length=60)
    # Part of the schema: goes with its labels (the label admin refuses that while types refer to it).
    source_label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="outgoing_types")
    target_label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="incoming_types")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="relation_type_name_unique")]

    def __str__(self):
        return f"{self.source_label} {self.name} {self.target_label}"


class EntityKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    STATE = "state", "State"
    OTHER = "other", "Other"


class Entity(models.Model):
    """An entry of the project's knowledge base of actors."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="entities")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=EntityKind.choices, default=EntityKind.PERSON)
    aliases = models.JSONField(default=list, blank=True)
    wikidata_id = models.CharField(
        max_length=20, blank=True, validators=[RegexValidator(r"^(Q[0-9]+)?$", "A Wikidata id looks like Q42.")]
    )
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="entity_name_unique"),
            models.CheckConstraint(condition=Q(kind__in=EntityKind.values), name="entity_kind_valid"),
        ]

    def __str__(self):
        return self.name


class EntityMerge(models.Model):
    """An entity that was merged into another and deleted: where its links went.

    Undoing a span deletion after a merge follows these, one after another, to the
    entity the span should link to now.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="entity_merges")
    merged_id = models.BigIntegerField(help_text="The id the merged entity had.")
    merged_name = models.CharField(max_length=200)
    into = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="merged_from")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    spans = models.PositiveIntegerField(default=0, help_text="How many spans were relinked.")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "merged_id"], name="entity_merge_once")]

    def __str__(self):
        return f"{self.merged_name} → {self.into_id}"


class SetStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    # The gold set's own states.
    IN_REVIEW = "in_review", "In review"
    DONE = "done", "Done"


class AnnotationSet(models.Model):
    """One person's annotation of one article, or the article's gold set (no user)."""

    # An empty set goes with its article; a set with spans protects it (see Span).
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="annotation_sets")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="annotation_sets"
    )
    is_gold = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=SetStatus.choices, default=SetStatus.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # A reviewer reopened this submitted set for its annotator: when, who and why.
    # Cleared when the annotator submits again; the event log keeps the history.
    sent_back_at = models.DateTimeField(null=True, blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_back_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["article_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="set_one_per_article_user"),
            models.UniqueConstraint(fields=["article"], condition=Q(is_gold=True), name="set_one_gold_per_article"),
            models.CheckConstraint(
                condition=(Q(is_gold=True) & Q(user__isnull=True)) | (Q(is_gold=False) & Q(user__isnull=False)),
                name="set_gold_xor_user",
            ),
            models.CheckConstraint(condition=Q(status__in=SetStatus.values), name="set_status_valid"),
        ]

    def __str__(self):
        owner = "gold" if self.is_gold else self.user
        return f"{self.article} — {owner}"

    @property
    def owner_name(self):
        return "gold" if self.is_gold else self.user.get_username()

    @property
    def is_editable(self):
        return self.status not in (SetStatus.SUBMITTED, SetStatus.DONE)

    @property
    def is_sent_back(self):
        """A reviewer sent it back and its annotator has not submitted it again."""
        return self.sent_back_at is not None and not self.is_gold and self.is_editable


class Span(models.Model):
    # Deleting a set, article or project never takes spans with it unseen.
    annotation_set = models.ForeignKey(AnnotationSet, on_delete=models.PROTECT, related_name="spans")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="spans")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField(help_text="The covered text, kept to check offsets.")
    attributes = models.JSONField(default=dict, blank=True)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, null=True, blank=True, related_name="spans")
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change; stale edits get 409.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "-end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="span_start_not_negative"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="span_end_after_start"),
            models.UniqueConstraint(fields=["annotation_set", "label", "start", "end"], name="span_unique_place"),
        ]
        indexes = [models.Index(fields=["annotation_set", "start"], name="span_set_start")]

    def __str__(self):
        return f"{self.label_id}[{self.start}:{self.end}] {self.text[:40]}"


class Relation(models.Model):
    annotation_set = models.ForeignKey(AnnotationSet, on_delete=models.CASCADE, related_name="relations")
    type = models.ForeignKey(RelationType, on_delete=models.PROTECT, related_name="relations")
    source = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="incoming")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["annotation_set", "type", "source", "target"], name="relation_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="relation_not_to_itself"),
        ]

    def __str__(self):
        return f"{self.source_id} {self.type_id} {self.target_id}"


class Event(models.Model):
    """Who created, changed or deleted what, and when."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        RESTORE = "restore", "Restored"
        SUBMIT = "submit", "Submitted"
        REOPEN = "reopen", "Reopened"
        IMPORT = "import", "Imported"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    annotation_set = models.ForeignKey(
        AnnotationSet, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "-created_at"], name="event_article_time")]

    def __str__(self):
        return f"{self.user} {self.action} {self.object_type} {self.object_id}"


class ReviewDecision(models.Model):
    """A reviewer's latest decision on one review item of an article's gold set.

    ``item`` is the review key of what the annotators marked (a fingerprint: when an
    annotator changes their spans there, the key changes and the item reads as open
    again).  ``choice`` is take or drop (accept for the agreed items taken together),
    ``number`` the annotator whose version was taken, ``gold_spans`` the gold spans
    the decision put there (replaced when the item is decided again).  ``version``
    rises with every change, so two reviewers deciding the same item cannot both win.
    """

    class Choice(models.TextChoices):
        TAKE = "take", "Take"
        DROP = "drop", "Drop"
        ACCEPT = "accept", "Accept agreed"

    gold_set = models.ForeignKey(AnnotationSet, on_delete=models.CASCADE, related_name="review_decisions")
    item = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, blank=True)
    choice = models.CharField(max_length=8, choices=Choice.choices)
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    annotator = models.CharField(max_length=150, blank=True)
    gold_spans = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    decided_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["gold_set_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gold_set", "item"], name="review_decision_one_per_item"),
            models.CheckConstraint(condition=Q(choice__in=["take", "drop", "accept"]), name="review_choice_valid"),
        ]

    def __str__(self):
        return f"{self.item}: {self.choice} {self.number or ''}".strip()


# --- Suggestions: the machine layer of an article (docs/design.md, rule 9) -------------------------------
#
# Suggestions belong to nobody: they are no AnnotationSet, take no assignment slot and never count in
# agreement, progress, review or an export that did not ask for them.  An annotator accepts one into their
# own set (a Span made by the checked service) or rejects it; the decision is theirs alone.


class Suggestion(models.Model):
    """A proposed span of an article, from a recommender or an imported model or file (``source``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField(help_text="The covered text, kept to check offsets.")
    score = models.FloatField(help_text="How sure the source is, from 0 to 1.")
    source = models.CharField(max_length=100, help_text="The recommender's name, or the imported model or file.")
    # Imported suggestions stay until removed; the built-in recommenders' are recomputed when stale.
    imported = models.BooleanField(default=False)
    entity = models.ForeignKey(Entity, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions")
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "-end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="suggestion_end_after_start"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="suggestion_score_range"),
            models.CheckConstraint(condition=~Q(source=""), name="suggestion_source_named"),
            models.UniqueConstraint(fields=["article", "label", "start", "end", "source"],
                                    name="suggestion_unique_place"),
        ]
        indexes = [models.Index(fields=["article", "start"], name="suggestion_article_start")]

    def __str__(self):
        return f"{self.label_id}[{self.start}:{self.end}] {self.text[:40]} ({self.source} {self.score:.2f})"


class SuggestedRelation(models.Model):
    """A proposed link between two suggestions of one article (quote → speaker, quote → cue…)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggested_relations")
    type = models.ForeignKey(RelationType, on_delete=models.CASCADE, related_name="suggested_relations")
    source = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="incoming")
    score = models.FloatField(default=1.0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["type", "source", "target"], name="suggested_relation_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="suggested_relation_not_to_itself"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1),
                                   name="suggested_relation_score_range"),
        ]

    def __str__(self):
        return f"{self.source_id} {self.type_id} {self.target_id}"


class SuggestionDecision(models.Model):
    """What one annotator did with one suggestion: accepted it (into ``span``) or rejected it."""

    class Choice(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    span = models.ForeignKey(Span, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "user"], name="suggestion_decision_one_per_user"),
            models.CheckConstraint(condition=Q(choice__in=["accepted", "rejected"]),
                                   name="suggestion_decision_choice_valid"),
            models.CheckConstraint(condition=Q(choice="accepted") | Q(span__isnull=True),
                                   name="suggestion_rejected_has_no_span"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.choice} {self.suggestion_id}"


class SuggestionSettings(models.Model):
    """A project's suggestion settings: which recommenders are off, and its own cue words."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="suggestion_settings")
    disabled = models.JSONField(default=list, blank=True, help_text="Names of the recommenders switched off.")
    cue_words = models.JSONField(default=list, blank=True,
                                 help_text="Words that introduce a quote, added to the built-in lexicon.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "suggestion settings"

    def __str__(self):
        return f"Suggestion settings of {self.project}"


class SuggestionState(models.Model):
    """When an article's built-in suggestions were computed, and from what (``fingerprint`` of the
    knowledge base, the team's memory and the settings): a different fingerprint means stale."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="suggestion_state")
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.article_id}: {self.fingerprint[:12]}"
