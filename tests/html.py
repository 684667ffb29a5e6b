"""Reading pages in tests as a browser reads them: runs of white space in HTML are
one space, so templates may break long lines anywhere white space already is."""

import re


def collapsed(response) -> str:
    """The response's HTML with every run of white space as one space."""
    return re.sub(r"\s+", " ", response.content.decode())
