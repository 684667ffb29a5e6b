from django import forms


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
