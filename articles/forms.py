"""Forms of the project pages: text upload, article search, project settings,
starting a project, adding a member."""

from django import forms
from django.utils.text import slugify

from .guidelines import MAX_GUIDELINES
from .models import Project, Role


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class TextUploadForm(forms.Form):
    files = MultipleFileField(
        label="Plain-text files (.txt)",
        widget=MultipleFileInput(attrs={"accept": ".txt,text/plain"}),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        wrong = [f.name for f in files if not f.name.lower().endswith(".txt")]
        if wrong:
            raise forms.ValidationError(f"Only .txt files can be imported here: {', '.join(wrong)}")
        return files


class ArticleSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search titles and text")


class AnnotatorsPerArticle:
    """The bounds on k, the number of annotators per article, for the project forms."""

    def clean_annotators_per_article(self):
        k = self.cleaned_data["annotators_per_article"]
        if not 1 <= k <= 20:
            raise forms.ValidationError("Choose between 1 and 20 annotators per article.")
        return k


class ProjectSettingsForm(AnnotatorsPerArticle, forms.ModelForm):
    def clean_guidelines(self):
        text = self.cleaned_data["guidelines"]
        if len(text) > MAX_GUIDELINES:
            raise forms.ValidationError(
                f"Guidelines hold at most {MAX_GUIDELINES:,} characters (these have {len(text):,}); "
                "link to a longer document instead."
            )
        return text

    class Meta:
        model = Project
        fields = [
            "name", "description", "organisation", "annotators_per_article", "allow_overlap", "snap_to_words",
            "guidelines",
        ]
        labels = {"annotators_per_article": "Annotators per article"}
        help_texts = {
            "annotators_per_article": "How many people annotate each article independently (k). "
            "Articles already started keep the sets they have.",
            "allow_overlap": "Whether spans may overlap each other. Applies to spans made from now on.",
            "guidelines": "Markdown: headings, lists, tables, links. Shown to every member under Guidelines "
            f"and from the workspace. At most {MAX_GUIDELINES:,} characters.",
            "organisation": "Publishes the fact-checks: the author of exported ClaimReview items.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "guidelines": forms.Textarea(attrs={"rows": 14, "class": "mono"}),
        }


class MemberAddForm(forms.Form):
    user = forms.CharField(label="Username or e-mail", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANNOTATOR)


class ProjectCreateForm(AnnotatorsPerArticle, forms.ModelForm):
    schema_from = forms.TypedChoiceField(
        label="Labels", coerce=int, empty_value=None, required=False,
        help_text="Start from the default labels (Claim, Actor, Quote, Cue) or copy the labels and relation "
        "types of a project you manage.",
    )

    class Meta:
        model = Project
        fields = ["name", "slug", "description", "annotators_per_article"]
        labels = {"slug": "Address", "annotators_per_article": "Annotators per article"}
        help_texts = {
            "slug": "The project's address: /p/<address>/. Letters, digits and hyphens; left empty, it is made "
            "from the name. It cannot change later.",
            "annotators_per_article": "How many people annotate each article independently (k).",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["schema_from"].choices = [("", "The default labels")] + [
            (project.pk, f"Copy from “{project.name}”") for project in sources
        ]

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:80].strip("-")
        if not slug:
            raise forms.ValidationError("Give the project an address of letters, digits and hyphens.")
        if Project.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"The address “{slug}” is taken; choose another.")
        return slug
