"""Forms of the managers' Labels page (a label with its attributes, and a relation type)
and of the Entities page (an entry of the knowledge base of actors, and a merge).

``project`` is not a form field, so the rules that involve it (names and keys unique
in the project, labels of this project only) are checked here, with messages, before
the database constraints could refuse the row.
"""

import re

from django import forms
from django.db.models import Q
from django.db.models.functions import Lower

from .attributes import attributes_as_text, parse_attribute_text
from .models import Entity, Label, RelationType
from .schema import label_change_refusals

ATTRIBUTE_HELP = (
    "One attribute per line: “name: a | b | c” for a choice list, "
    "“name: yes/no” for yes or no, “name: text” for free text."
)


class LabelForm(forms.ModelForm):
    attributes_text = forms.CharField(
        label="Attributes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=ATTRIBUTE_HELP,
    )

    class Meta:
        model = Label
        fields = ["name", "key", "colour", "description", "links_entity", "order"]
        labels = {"key": "Shortcut key", "links_entity": "Links to an entity", "colour": "Colour"}
        help_texts = {
            "key": "A letter or digit; optional.",
            "links_entity": "Spans of this label link to an entry of the actor knowledge base.",
            "order": "Lower comes first.",
        }
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "key": forms.TextInput(attrs={"size": 2, "maxlength": 1, "autocomplete": "off"}),
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.instance.project = project
        if not self.is_bound and self.instance.pk:
            self.initial["attributes_text"] = attributes_as_text(self.instance.attributes)
        self.fields["order"].required = False

    def _others(self):
        return self.project.labels.exclude(pk=self.instance.pk)

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = self._others().filter(name__iexact=name).first()
        if taken:
            raise forms.ValidationError(f"This project already has a label called “{taken.name}”.")
        return name

    def clean_key(self):
        key = self.cleaned_data["key"].lower()
        if key:
            taken = self._others().filter(key=key).first()
            if taken:
                raise forms.ValidationError(f"The key “{key}” already picks “{taken.name}”; choose another.")
        return key

    def clean_order(self):
        order = self.cleaned_data.get("order")
        return 0 if order is None else order

    def clean_attributes_text(self):
        definitions, errors = parse_attribute_text(self.cleaned_data["attributes_text"])
        if errors:
            raise forms.ValidationError(errors)
        self.attribute_definitions = definitions
        return self.cleaned_data["attributes_text"]

    def clean(self):
        cleaned = super().clean()
        # The saved label, before this form changes it: what its spans rely on.
        if self.instance.pk and "attributes_text" in cleaned and "links_entity" in cleaned:
            refusals = label_change_refusals(
                self.instance, attributes=self.attribute_definitions, links_entity=cleaned["links_entity"]
            )
            for field, errors in refusals.items():
                self.add_error("attributes_text" if field == "attributes" else field, errors)
        return cleaned

    def _post_clean(self):
        if hasattr(self, "attribute_definitions"):
            self.instance.attributes = self.attribute_definitions
        super()._post_clean()


class RelationTypeForm(forms.ModelForm):
    class Meta:
        model = RelationType
        fields = ["name", "source_label", "target_label", "description"]
        labels = {"source_label": "From", "target_label": "To"}
        error_messages = {
            "source_label": {"invalid_choice": "Choose one of this project's labels."},
            "target_label": {"invalid_choice": "Choose one of this project's labels."},
        }

    def __init__(self, *args, project, **kwargs):
        kwargs.setdefault("auto_id", "id_type_%s")  # shares a page with the label form
        super().__init__(*args, **kwargs)
        self.project = project
        self.instance.project = project
        for name in ("source_label", "target_label"):
            self.fields[name].queryset = project.labels.all()
            self.fields[name].empty_label = "— label —"

    def clean_name(self):
        name = self.cleaned_data["name"]
        if self.project.relation_types.exclude(pk=self.instance.pk).filter(name__iexact=name).exists():
            raise forms.ValidationError(f"This project already has a relation type called “{name}”.")
        return name


# ---------------------------------------------------------------- the knowledge base of actors

ALIAS_HELP = (
    "One per line: other spellings and short forms, e.g. “Lavrov”. Repeats and the name itself are left out."
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class EntityForm(forms.ModelForm):
    """An entry of the knowledge base: names are compared without regard to case, and no
    alias may be another entry's name (those two are the same actor: merge them)."""

    aliases_text = forms.CharField(
        label="Aliases",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=ALIAS_HELP,
    )

    class Meta:
        model = Entity
        fields = ["name", "kind", "wikidata_id", "description"]
        labels = {"wikidata_id": "Wikidata id"}
        help_texts = {"wikidata_id": "Optional, like Q42; a pasted Wikidata link is fine."}
        error_messages = {
            "name": {"required": "An entity needs a name."},
            "kind": {
                "required": "Choose a kind: person, organisation, state or other.",
                "invalid_choice": "Choose a kind: person, organisation, state or other.",
            },
        }
        widgets = {
            "description": forms.TextInput(),
            "wikidata_id": forms.TextInput(attrs={"size": 12, "autocomplete": "off", "spellcheck": "false"}),
        }

    def __init__(self, *args, project, **kwargs):
        kwargs.setdefault("auto_id", "id_entity_%s")
        super().__init__(*args, **kwargs)
        self.project = project
        self.instance.project = project
        # Room for a pasted link; the id itself is checked below.
        self.fields["wikidata_id"].max_length = None
        self.fields["wikidata_id"].validators = []
        self.fields["wikidata_id"].widget.attrs.pop("maxlength", None)
        if not self.is_bound and self.instance.pk:
            self.initial["aliases_text"] = "\n".join(self.instance.aliases)

    def _others(self):
        return self.project.entities.exclude(pk=self.instance.pk)

    def clean_name(self):
        name = _one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("An entity needs a name.")
        taken = self._others().filter(name__iexact=name).first()
        if taken:
            raise forms.ValidationError(f"There is already an entity called “{taken.name}”; edit or merge that one.")
        return name

    def clean_wikidata_id(self):
        value = self.cleaned_data["wikidata_id"].strip()
        link = re.fullmatch(r"(?:https?://)?(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/(Q[0-9]+)/?", value, re.I)
        if link:
            value = link.group(1)
        if value[:1] == "q":
            value = "Q" + value[1:]
        if value and not re.fullmatch(r"Q[0-9]{1,18}", value):
            raise forms.ValidationError("A Wikidata id looks like Q42: a Q and digits.")
        if value:
            taken = self._others().filter(wikidata_id=value).first()
            if taken:
                raise forms.ValidationError(
                    f"{value} is already the Wikidata id of “{taken.name}”; merge them instead."
                )
        return value

    def clean_aliases_text(self):
        aliases, seen, errors = [], set(), []
        for line in self.cleaned_data["aliases_text"].splitlines():
            alias = _one_line(line)
            if not alias or alias.casefold() in seen:
                continue
            if len(alias) > 200:
                errors.append(f"The alias “{alias[:40]}…” is longer than 200 characters.")
                continue
            seen.add(alias.casefold())
            aliases.append(alias)
        if errors:
            raise forms.ValidationError(errors)
        if aliases:
            wanted = Q()
            for alias in aliases:
                wanted |= Q(name__iexact=alias)
            for other in self._others().filter(wanted).order_by("name"):
                errors.append(f"“{other.name}” is the name of another entity; merge them instead.")
        if errors:
            raise forms.ValidationError(errors)
        self.alias_list = aliases
        return self.cleaned_data["aliases_text"]

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and hasattr(self, "alias_list"):
            self.alias_list = [alias for alias in self.alias_list if alias.casefold() != name.casefold()]
        return cleaned

    def _post_clean(self):
        if hasattr(self, "alias_list"):
            self.instance.aliases = self.alias_list
        super()._post_clean()


class EntityMergeForm(forms.Form):
    """Choose the entity that takes over another's spans and names."""

    target = forms.ModelChoiceField(
        queryset=Entity.objects.none(),
        label="Merge into",
        empty_label="— choose an entity —",
        error_messages={
            "required": "Choose the entity to merge into.",
            "invalid_choice": "Choose another entity of this project.",
        },
    )

    def __init__(self, *args, entity, **kwargs):
        kwargs.setdefault("auto_id", "id_merge_%s")
        super().__init__(*args, **kwargs)
        self.entity = entity
        # The entity itself is a valid choice here only so that choosing it gets its own message.
        self.fields["target"].queryset = Entity.objects.filter(project_id=entity.project_id).order_by(
            Lower("name"), "pk"
        )

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target.pk == self.entity.pk:
            raise forms.ValidationError("An entity cannot be merged into itself; choose another one.")
        return target
