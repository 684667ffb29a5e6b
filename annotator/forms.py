"""Forms of the managers' Labels page: a label with its attributes, and a relation type.

``project`` is not a form field, so the rules that involve it (names and keys unique
in the project, labels of this project only) are checked here, with messages, before
the database constraints could refuse the row.
"""

from django import forms

from .models import Label, RelationType
from .schema import attributes_as_text, label_change_refusals, parse_attribute_text

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
