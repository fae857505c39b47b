"""Sphinx configuration of the course site.

`cx course` copies this folder into build/site-src/, adds the executed lessons, the course map,
the readings, the exercises and the API pages, and runs sphinx-build (cxlib/_course_site.py).
Nothing here fetches anything from the network, at build or at read time.
"""

import cxlib

project = "cxcourse"
author = "the cxcourse authors"
copyright = "the cxcourse authors"
release = version = cxlib.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinxcontrib.bibtex",
]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "exercises/*.ipynb", "home.md"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "misc.highlighting_failure"]

# The lessons were executed by `cx course` (papermill); they are rendered as they are.
nb_execution_mode = "off"
nb_output_stderr = "remove"
nb_merge_streams = True
nb_ipywidgets_js = {}  # widget views are replaced by static figures (no CDN widget manager)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# MathJax 3 (SVG output: no web fonts to fetch), bundled by the sphinx-mathjax-offline package;
# cx course copies tex-svg-full.js into _static/mathjax/.
mathjax_path = "mathjax/tex-svg-full.js"
mathjax3_config = {
    "options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area",
                "ignoreHtmlClass": "tex2jax_ignore|mathjax_ignore"},
    "svg": {"fontCache": "global"},
}

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

autodoc_member_order = "bysource"
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks = set()

html_theme = "sphinx_book_theme"
html_title = "cxcourse"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_last_updated_fmt = None
html_context = {"default_mode": "light"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    "show_navbar_depth": 1,
}
